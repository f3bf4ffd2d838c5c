package io.cxpulse.peer.rules;

import java.nio.charset.StandardCharsets;

/** cxpulse's stable hashes (FNV-1a 64 and 128 bit), byte for byte, so ids match. */
public final class StableHash {
  private StableHash() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  public static long fnv1a64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** 32 hex digits of FNV-1a-128 over the parts, each prefixed with its 4-byte length. */
  public static String stableId(String... parts) {
    long hi = 0x6c62272e07bb0142L;
    long lo = 0x62b821756295c58dL;
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      int n = bytes.length;
      for (int i = 0; i < 4; i++) {
        lo ^= (n >>> (8 * i)) & 0xFF;
        long[] m = mul(hi, lo);
        hi = m[0];
        lo = m[1];
      }
      for (byte b : bytes) {
        lo ^= b & 0xFF;
        long[] m = mul(hi, lo);
        hi = m[0];
        lo = m[1];
      }
    }
    char[] out = new char[32];
    for (int i = 15; i >= 0; --i) {
      out[i] = HEX[(int) (hi & 0xF)];
      out[i + 16] = HEX[(int) (lo & 0xF)];
      hi >>>= 4;
      lo >>>= 4;
    }
    return new String(out);
  }

  // (hi, lo) * (2^88 + 0x13B) mod 2^128.
  private static long[] mul(long hi, long lo) {
    final long k = 0x13BL;
    long carry = Math.multiplyHigh(lo, k) + ((lo >> 63) & k);
    long newHi = hi * k + carry + (lo << 24);
    return new long[] {newHi, lo * k};
  }
}
