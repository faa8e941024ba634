/* SHA-256 and HMAC-SHA-256 against the published vectors: FIPS 180-4's
 * examples (NIST's "SHA256.pdf" and the long messages of FIPS 180-2,
 * appendix B) and RFC 4231's test cases for HMAC-SHA-256. */
#include <stdlib.h>

#include "import/import.h"
#include "tap.h"

static const char *hex(const unsigned char *p, size_t n)
{
	static char out[129];
	for (size_t i = 0; i < n && i < 64; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	return out;
}

static const char *sha256_of(const void *data, size_t len)
{
	crm_sha256 s;
	unsigned char out[32];
	crm_sha256_init(&s);
	crm_sha256_add(&s, data, len);
	crm_sha256_end(&s, out);
	return hex(out, sizeof out);
}

static void sha256_vectors(void)
{
	CHECK_STR(sha256_of("abc", 3),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(sha256_of("", 0),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	CHECK_STR(sha256_of(two, strlen(two)),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *four = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	CHECK_STR(sha256_of(four, strlen(four)),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* a million 'a', given in pieces that straddle the blocks */
	crm_sha256 s;
	unsigned char out[32];
	char piece[1001];
	memset(piece, 'a', sizeof piece);
	crm_sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		crm_sha256_add(&s, piece, i % 2 ? 999 : 1001);
	crm_sha256_end(&s, out);
	CHECK_STR(hex(out, sizeof out),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* 55 and 56 bytes: the padding fits in the block, or needs another */
	CHECK_STR(sha256_of(piece, 55),
		  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	CHECK_STR(sha256_of(piece, 56),
		  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

static const char *hmac_of(const void *key, size_t keylen, const void *msg, size_t len, size_t n)
{
	unsigned char out[32];
	crm_hmac_sha256(key, keylen, msg, len, out);
	return hex(out, n);
}

/* RFC 4231, section 4 */
static void hmac_vectors(void)
{
	unsigned char key[131], data[50];
	memset(key, 0x0b, 20);
	CHECK_STR(hmac_of(key, 20, "Hi There", 8, 32),
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	const char *what = "what do ya want for nothing?";
	CHECK_STR(hmac_of("Jefe", 4, what, strlen(what), 32),
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	CHECK_STR(hmac_of(key, 20, data, 50, 32),
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	for (int i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	memset(data, 0xcd, 50);
	CHECK_STR(hmac_of(key, 25, data, 50, 32),
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	memset(key, 0x0c, 20);
	CHECK_STR(hmac_of(key, 20, "Test With Truncation", 20, 16), "a3b6167473100ee06e0c796c2955552b");
	memset(key, 0xaa, 131);
	const char *six = "Test Using Larger Than Block-Size Key - Hash Key First";
	CHECK_STR(hmac_of(key, 131, six, strlen(six), 32),
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	const char *seven = "This is a test using a larger than block-size key and a larger than"
			    " block-size data. The key needs to be hashed before being used by the"
			    " HMAC algorithm.";
	CHECK_STR(hmac_of(key, 131, seven, strlen(seven), 32),
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
	/* a key made ready once gives the same as the one call */
	crm_hmac h;
	crm_sha256 s;
	unsigned char out[32];
	crm_hmac_init(&h, "Jefe", 4);
	crm_hmac_begin(&h, &s);
	crm_sha256_add(&s, what, 10);
	crm_sha256_add(&s, what + 10, strlen(what) - 10);
	crm_hmac_end(&h, &s, out);
	CHECK_STR(hex(out, sizeof out),
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

void test_hash(void)
{
	sha256_vectors();
	hmac_vectors();
}
