dnl Sanitized builds and libFuzzer harnesses, for a second build tree:
dnl   mkdir build-fuzz && cd build-fuzz && ../configure --enable-fuzzing CC=clang
dnl
dnl --enable-sanitizers compiles and links everything with
dnl -fsanitize=address,undefined (`make check-asan` runs the tests that
dnl launch no appliance).  --enable-fuzzing implies it and, as OSS-Fuzz
dnl does, also compiles everything with -fsanitize=fuzzer-no-link, so
dnl lib/libimgscrub.a of that tree is the instrumented copy the harnesses
dnl in tests/fuzz/ link against (with -fsanitize=fuzzer, FUZZ_ENGINE).
AC_DEFUN([ISC_FUZZING], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
      [build with -fsanitize=address,undefined (for make check-asan)])],
    [], [enable_sanitizers=no])
  AC_ARG_ENABLE([fuzzing],
    [AS_HELP_STRING([--enable-fuzzing],
      [build the libFuzzer harnesses of tests/fuzz (needs CC=clang;
       implies --enable-sanitizers)])],
    [], [enable_fuzzing=no])
  AS_IF([test "x$enable_fuzzing" = xyes], [enable_sanitizers=yes])

  FUZZ_ENGINE=
  AS_IF([test "x$enable_sanitizers" = xyes], [
    isc_san="-fsanitize=address,undefined -fno-sanitize-recover=all"
    isc_san="$isc_san -fno-omit-frame-pointer -g"
    isc_save_CFLAGS=$CFLAGS
    isc_save_LDFLAGS=$LDFLAGS
    CFLAGS="$CFLAGS $isc_san"
    LDFLAGS="$LDFLAGS $isc_san"
    AC_MSG_CHECKING([whether $CC can build with $isc_san])
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])], [AC_MSG_RESULT([yes])],
      [AC_MSG_RESULT([no])
       AC_MSG_ERROR([--enable-sanitizers: $CC cannot link with $isc_san (install libasan8 and libubsan1, or use CC=clang)])])
    AS_IF([test "x$enable_fuzzing" = xyes], [
      CFLAGS="$CFLAGS -fsanitize=fuzzer-no-link"
      AC_MSG_CHECKING([whether $CC has libFuzzer (-fsanitize=fuzzer)])
      isc_fuzz_LDFLAGS=$LDFLAGS
      LDFLAGS="$LDFLAGS -fsanitize=fuzzer"
      AC_LINK_IFELSE([AC_LANG_SOURCE([[
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{ return data && size > 1000000; }
]])], [AC_MSG_RESULT([yes])],
        [AC_MSG_RESULT([no])
         AC_MSG_ERROR([--enable-fuzzing needs clang with libFuzzer: configure with CC=clang (Debian packages clang and libclang-rt-14-dev)])])
      LDFLAGS=$isc_fuzz_LDFLAGS
      FUZZ_ENGINE=-fsanitize=fuzzer
    ])
  ])
  AC_SUBST([FUZZ_ENGINE])
  AM_CONDITIONAL([ISC_SANITIZERS], [test "x$enable_sanitizers" = xyes])
  AM_CONDITIONAL([ISC_FUZZING], [test "x$enable_fuzzing" = xyes])
])
