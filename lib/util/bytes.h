/* imgscrub: fixed-width integers read from bytes, big- and little-
 * endian, for the parsers of image headers, hive logs and the target
 * checks.  Header only: static inline. */
#ifndef ISC_BYTES_H
#define ISC_BYTES_H

#include <stdint.h>

static inline uint16_t
isc_le16 (const unsigned char *p)
{
  return (uint16_t) (p[0] | p[1] << 8);
}

static inline uint32_t
isc_le32 (const unsigned char *p)
{
  return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 |
    (uint32_t) p[1] << 8 | p[0];
}

static inline uint64_t
isc_le64 (const unsigned char *p)
{
  return (uint64_t) isc_le32 (p + 4) << 32 | isc_le32 (p);
}

static inline uint32_t
isc_be32 (const unsigned char *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 |
    (uint32_t) p[2] << 8 | p[3];
}

static inline uint64_t
isc_be64 (const unsigned char *p)
{
  return (uint64_t) isc_be32 (p) << 32 | isc_be32 (p + 4);
}

#endif
