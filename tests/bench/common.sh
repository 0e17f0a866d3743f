# Sourced by the benchmarks in tests/bench/: the build tree's imgscrub
# and profiles, TCG, the fixtures (built when missing), a scratch folder
# $work removed at exit, and timing helpers.
top_builddir=$(cd "$(dirname "$0")/../.." && pwd)
imgscrub="$top_builddir/cmd/imgscrub"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"
export LIBGUESTFS_BACKEND_SETTINGS
export IMGSCRUB_PROFILE_PATH="$top_builddir/profiles:$(cd "$(dirname "$0")/../../profiles" && pwd)"
[ -x "$imgscrub" ] || { echo "build imgscrub first (make)" >&2; exit 2; }
[ -f "$top_builddir/tests/fixtures/stamp" ] || make -C "$top_builddir" tests/fixtures/stamp
. "$(dirname "$0")/../fixture-values.sh"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/imgscrub-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now () { date +%s.%N; }
elapsed () { echo "$2 - $1" | bc; }
ratio () { echo "scale=2; $1 / $2" | bc; }
