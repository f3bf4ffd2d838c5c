package io.cxpulse.peer.json;

import java.time.DateTimeException;
import java.time.LocalDate;

/** RFC 3339 timestamps exactly as cxpulse's schemas/timestamp.cpp reads and writes them. */
public final class Rfc3339 {
  private Rfc3339() {}

  public static final long MIN_EPOCH_MILLIS = 0;
  public static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

  private static int digits(String s, int pos, int n) {
    if (pos + n > s.length()) return -1;
    int v = 0;
    for (int i = pos; i < pos + n; ++i) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Epoch milliseconds, or Long.MIN_VALUE when `s` is not RFC 3339 with an offset. */
  public static long parse(String s) {
    final long bad = Long.MIN_VALUE;
    if (s.length() < 20) return bad;
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || s.charAt(4) != '-' || month < 0 || s.charAt(7) != '-' || day < 0
        || (s.charAt(10) != 'T' && s.charAt(10) != 't') || hour < 0 || s.charAt(13) != ':'
        || minute < 0 || s.charAt(16) != ':' || second < 0) {
      return bad;
    }
    if (hour > 23 || minute > 59 || second > 59) return bad;
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return bad;
    }
    int pos = 19;
    long millis = 0;
    if (pos < s.length() && s.charAt(pos) == '.') {
      ++pos;
      int first = pos;
      while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
        if (pos - first < 3) millis = millis * 10 + (s.charAt(pos) - '0');
        ++pos;
      }
      int n = pos - first;
      if (n == 0) return bad;
      for (int i = n; i < 3; ++i) millis *= 10;
    }
    if (pos >= s.length()) return bad;
    long offsetSeconds = 0;
    char c = s.charAt(pos);
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int offHour = digits(s, pos + 1, 2);
      if (offHour < 0 || pos + 3 >= s.length() || s.charAt(pos + 3) != ':') return bad;
      int offMinute = digits(s, pos + 4, 2);
      if (offMinute < 0 || offHour > 23 || offMinute > 59) return bad;
      offsetSeconds = (offHour * 3600L + offMinute * 60L) * (c == '-' ? -1 : 1);
      pos += 6;
    } else {
      return bad;
    }
    if (pos != s.length()) return bad;
    long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
    return seconds * 1000 + millis;
  }

  /** `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  public static String format(long ms) {
    ms = Math.max(-62_167_219_200_000L, Math.min(ms, MAX_EPOCH_MILLIS));
    long days = Math.floorDiv(ms, 86_400_000L);
    long inDay = Math.floorMod(ms, 86_400_000L);
    LocalDate date = LocalDate.ofEpochDay(days);
    char[] b = new char[24];
    put(b, 0, date.getYear(), 4);
    b[4] = '-';
    put(b, 5, date.getMonthValue(), 2);
    b[7] = '-';
    put(b, 8, date.getDayOfMonth(), 2);
    b[10] = 'T';
    put(b, 11, (int) (inDay / 3_600_000), 2);
    b[13] = ':';
    put(b, 14, (int) (inDay / 60_000 % 60), 2);
    b[16] = ':';
    put(b, 17, (int) (inDay / 1000 % 60), 2);
    b[19] = '.';
    put(b, 20, (int) (inDay % 1000), 3);
    b[23] = 'Z';
    return new String(b);
  }

  private static void put(char[] b, int at, int value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      b[at + i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
