// fuzz-sources: logger/lines.c
/* libFuzzer target: svlog's line splitter and stampers (logger/lines.c).
   Input: byte 0 picks LINEMAX (0..63), byte 1 the read size (1..64), bytes
   2..13 a time for the stampers; the rest is the log stream, fed in reads of
   that size the way svlog's format()/continueline() do.  Checked: every
   input byte goes out once, in order; an added newline only where a line
   reached LINEMAX; no output line longer than LINEMAX; stamps well formed. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <skalibs/tai.h>

#include "../../logger/lines.h" /* whatever -I the fuzz rule gives */

#include <stdio.h>
/* a failed invariant: say which, then crash for the fuzzer */
#define check(ok)                                                                                                      \
  ((ok) ? (void)0 : (fprintf(stderr, "fuzz_svlog_lines: check failed at line %d: %s\n", __LINE__, #ok), abort()))

static void stamps(uint8_t const *d)
{
  char s[64];
  struct timespec ts;
  lines_isocache last = LINES_ISOCACHE_ZERO;
  int64_t sec;
  uint32_t ns;
  tain t;
  size_t n, i;
  memcpy(&sec, d, 8);
  memcpy(&ns, d + 8, 4);
  /* gmtime_r takes years that fit in an int */
  ts.tv_sec = (time_t)(sec % ((int64_t)1 << 40));
  ts.tv_nsec = ns % 1000000000;
  memset(s, '?', sizeof s);
  n = lines_stamp_iso(s, &ts, &last);
  check(n == LINES_ISO_LEN && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' &&
        s[19] == '.' && s[26] == 'Z' && s[27] == ' ' && s[28] == '?');
  for (i = 0; i < 26; i++)
    if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && i != 19) check(s[i] >= '0' && s[i] <= '9');
  /* the same second again: only the microseconds are rewritten, same text */
  {
    char s2[64];
    memcpy(s2, s, sizeof s);
    lines_stamp_iso(s2, &ts, &last);
    check(!memcmp(s, s2, sizeof s));
  }
  tain_from_timespec(&t, &ts);
  memset(s, '?', sizeof s);
  n = lines_stamp_tai(s, &t);
  check(n == LINES_TAI_LEN && s[0] == '@' && s[TIMESTAMP] == ' ' && s[TIMESTAMP + 1] == '?');
  for (i = 1; i < TIMESTAMP; i++)
    check((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'));
  {
    tain back;
    check(timestamp_scan(s, &back) == TIMESTAMP && back.sec.x == t.sec.x && back.nano == t.nano);
  }
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  size_t linemax, chunk, pos = 0, linelen = 0, outlen = 0, outline = 0, i;
  int midline = 0;
  char *out;
  if (size < 14) return 0;
  linemax = data[0] % 64;
  chunk = data[1] % 64 + 1;
  stamps(data + 2);
  data += 14;
  size -= 14;
  out = malloc(2 * size + 1);
  if (!out) return 0;
  while (pos < size) {
    size_t end = pos + chunk < size ? pos + chunk : size;
    while (pos < end) { /* one read: inbuf[pos..end) */
      lines_cut c;
      lines_cut_next((char const *)data + pos, end - pos, linemax, midline ? linelen : 0, &c);
      check(c.len <= end - pos);
      check(c.len || c.nl); /* progress: bytes, or a split newline */
      if (c.nl) check(c.done && linemax && !memchr(data + pos, '\n', c.len));
      if (!c.done) check(c.len == end - pos);
      memcpy(out + outlen, data + pos, c.len);
      outlen += c.len;
      if (c.nl) out[outlen++] = '\n';
      pos += c.len;
      if (c.done)
        midline = 0, linelen = 0;
      else
        midline = 1, linelen += c.len;
      if (linemax) check(linelen <= linemax);
    }
  }
  /* out is the input with newlines added only at splits; no line too long */
  for (i = 0, pos = 0; i < outlen; i++) {
    if (pos < size && out[i] == (char)data[pos]) {
      pos++;
      if (out[i] == '\n')
        outline = 0;
      else
        outline++;
    } else {
      check(out[i] == '\n' && linemax && outline == linemax);
      outline = 0;
    }
    if (linemax) check(outline <= linemax);
  }
  check(pos == size);
  free(out);
  return 0;
}
