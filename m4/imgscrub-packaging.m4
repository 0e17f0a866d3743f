dnl Packaging: man pages (pod2man), bash completion's folder, the hivex
dnl version --version reports, and --disable-appliance-tests (make
dnl distcheck uses it).
AC_DEFUN([ISC_PACKAGING], [
  AC_PATH_PROG([POD2MAN], [pod2man], [no])
  AS_IF([test "x$POD2MAN" = xno],
    [AC_MSG_ERROR([pod2man not found: install the Debian package perl (apt-get install perl)])])

  dnl hivex has no run-time version call: record the one we build against.
  HIVEX_BUILD_VERSION=`$PKG_CONFIG --modversion hivex`
  AC_DEFINE_UNQUOTED([HIVEX_BUILD_VERSION], ["$HIVEX_BUILD_VERSION"],
    [the hivex version imgscrub is built against])

  AC_ARG_WITH([bash-completion-dir],
    [AS_HELP_STRING([--with-bash-completion-dir=DIR],
      [where to install the bash completion (default: pkg-config's
       bash-completion completionsdir, else DATADIR/bash-completion/completions)])],
    [bashcompletiondir=$withval],
    [PKG_CHECK_VAR([bashcompletiondir], [bash-completion], [completionsdir], [],
      [bashcompletiondir='${datadir}/bash-completion/completions'])])
  AC_SUBST([bashcompletiondir])

  AC_ARG_ENABLE([appliance-tests],
    [AS_HELP_STRING([--disable-appliance-tests],
      [make check runs only the tests that launch no libguestfs appliance
       (the others skip)])],
    [], [enable_appliance_tests=yes])
  AM_CONDITIONAL([APPLIANCE_TESTS], [test "x$enable_appliance_tests" != xno])
  AC_SUBST([enable_appliance_tests])
])
