/* sha256.c: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the keyed
 * hashes of the suppression list. Written here from the standards, whose
 * test vectors tests/unit/test_hash.c checks: no dependency on a crypto
 * library for one hash. */
#include <string.h>

#include "base/base.h"

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state (FIPS 180-4, 6.2.2). */
static void block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void crm_sha256_init(crm_sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(s->h, h0, sizeof h0);
	s->len = 0;
	s->used = 0;
}

void crm_sha256_add(crm_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	s->len += len;
	while (len > 0) {
		size_t take = sizeof s->buf - s->used < len ? sizeof s->buf - s->used : len;
		memcpy(s->buf + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used == sizeof s->buf) {
			block(s->h, s->buf);
			s->used = 0;
		}
	}
}

void crm_sha256_end(crm_sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = {0x80};
	size_t n = (s->used < 56 ? 56 : 120) - s->used;
	for (int i = 0; i < 8; i++)
		pad[n + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	crm_sha256_add(s, pad, n + 8);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(s->h[i] >> (24 - 8 * j));
}

void crm_hmac_init(crm_hmac *h, const void *key, size_t keylen)
{
	unsigned char k0[64] = {0}, pad[64];
	if (keylen > sizeof k0) { /* a long key is hashed first (RFC 2104, 2) */
		crm_sha256_init(&h->inner);
		crm_sha256_add(&h->inner, key, keylen);
		crm_sha256_end(&h->inner, k0);
	} else if (keylen) {
		memcpy(k0, key, keylen);
	}
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = k0[i] ^ 0x36;
	crm_sha256_init(&h->inner);
	crm_sha256_add(&h->inner, pad, sizeof pad);
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = k0[i] ^ 0x5c;
	crm_sha256_init(&h->outer);
	crm_sha256_add(&h->outer, pad, sizeof pad);
	memset(k0, 0, sizeof k0);
	memset(pad, 0, sizeof pad);
}

void crm_hmac_begin(const crm_hmac *h, crm_sha256 *s)
{
	*s = h->inner;
}

void crm_hmac_end(const crm_hmac *h, crm_sha256 *s, unsigned char out[32])
{
	unsigned char inner[32];
	crm_sha256_end(s, inner);
	*s = h->outer;
	crm_sha256_add(s, inner, sizeof inner);
	crm_sha256_end(s, out);
}

void crm_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
		     unsigned char out[32])
{
	crm_hmac h;
	crm_sha256 s;
	crm_hmac_init(&h, key, keylen);
	crm_hmac_begin(&h, &s);
	crm_sha256_add(&s, msg, len);
	crm_hmac_end(&h, &s, out);
}
