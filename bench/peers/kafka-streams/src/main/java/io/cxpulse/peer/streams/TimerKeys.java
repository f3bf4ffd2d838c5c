package io.cxpulse.peer.streams;

/**
 * Keys of the `timers` store: 16 hex digits of the deadline (sign bit flipped, so the byte order
 * of the keys is the time order) then "|" and the customer id.
 */
final class TimerKeys {
  private TimerKeys() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String key(long deadline, String customerId) {
    long v = deadline ^ Long.MIN_VALUE;
    char[] out = new char[17 + customerId.length()];
    for (int i = 15; i >= 0; --i) {
      out[i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
    out[16] = '|';
    customerId.getChars(0, customerId.length(), out, 17);
    return new String(out);
  }

  static long deadline(String key) {
    return Long.parseUnsignedLong(key.substring(0, 16), 16) ^ Long.MIN_VALUE;
  }

  static String customer(String key) {
    return key.substring(17);
  }
}
