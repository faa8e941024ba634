/* UTF-8 validation and terminal width. */
#include "crm.h"
#include "tap.h"

void test_utf8(void)
{
	CHECK_INT(crm_utf8_valid_prefix("abc", 3), 3);
	CHECK_INT(crm_utf8_valid_prefix("张三", 6), 6);
	CHECK_INT(crm_utf8_valid_prefix("a\xff" "b", 3), 1);
	CHECK_INT(crm_utf8_valid_prefix("\xc0\xaf", 2), 0);        /* overlong '/' */
	CHECK_INT(crm_utf8_valid_prefix("\xed\xa0\x80", 3), 0);    /* a surrogate */
	CHECK_INT(crm_utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
	CHECK_INT(crm_utf8_valid_prefix("\xe5\xbc", 2), 0);        /* cut short */
	CHECK_INT(crm_display_width("abc", 3), 3);
	CHECK_INT(crm_display_width("张三", 6), 4);
	CHECK_INT(crm_display_width("ＶＩＰ", 9), 6);
	CHECK_INT(crm_display_width("e\xcc\x81", 3), 1);            /* e + combining accent */
	CHECK_INT(crm_display_width("\xf0\x9f\x98\x80", 4), 2);     /* emoji */
	CHECK_INT(crm_display_width("한국", 6), 4);
}
