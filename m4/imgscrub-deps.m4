dnl Every dependency is found through pkg-config or PATH; a missing one
dnl stops configure naming the Debian package that provides it.
AC_DEFUN([ISC_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found: install the Debian package $3 (apt-get install $3)])])
])

AC_DEFUN([ISC_REQUIRE_PROG], [
  AC_PATH_PROG([$1], [$2], [no], [$PATH:/usr/sbin:/sbin])
  AS_IF([test "x$$1" = xno],
    [AC_MSG_ERROR([$2 not found: install the Debian package $3 (apt-get install $3)])])
  AC_DEFINE_UNQUOTED([$1], ["$$1"], [path of $2])
])

AC_DEFUN([ISC_DEPENDENCIES], [
  ISC_REQUIRE_PKG([GUESTFS], [libguestfs >= 1.44], [libguestfs-dev])
  ISC_REQUIRE_PKG([HIVEX], [hivex >= 1.3.14], [libhivex-dev])
  ISC_REQUIRE_PKG([CONFUSE], [libconfuse >= 3.2], [libconfuse-dev])
  ISC_REQUIRE_PKG([ARCHIVE], [libarchive >= 3.4], [libarchive-dev])
  ISC_REQUIRE_PKG([JANSSON], [jansson >= 2.12], [libjansson-dev])
  ISC_REQUIRE_PKG([CRYPTO], [libcrypto >= 1.1], [libssl-dev])
  ISC_REQUIRE_PROG([QEMU_IMG], [qemu-img], [qemu-utils])
  dnl guestfish is only used by the test suite, to build and read back fixtures.
  AC_PATH_PROG([GUESTFISH], [guestfish], [no])
  AS_IF([test "x$GUESTFISH" = xno],
    [AC_MSG_WARN([guestfish not found: make check needs the Debian package guestfish])])
  AC_SUBST([GUESTFISH])
])
