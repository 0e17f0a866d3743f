dnl Compiler warnings: always -Wall -Wextra; --enable-werror makes them fatal (CI uses it).
AC_DEFUN([ISC_WARNINGS], [
  AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors])],
    [], [enable_werror=no])
  WARN_CFLAGS="-Wall -Wextra -Wformat=2 -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes -Wvla"
  AS_IF([test "x$enable_werror" = xyes], [WARN_CFLAGS="$WARN_CFLAGS -Werror"])
  AC_SUBST([WARN_CFLAGS])
])
