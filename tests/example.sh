#!/bin/sh
# The README's example: inspect the generated Windows image that carries
# the KB Q257808 (SMS 2.0) artefacts, scrub it, summarise the manifest.
set -eu
top_builddir=${top_builddir:-.}
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"
export LIBGUESTFS_BACKEND_SETTINGS
imgscrub="$top_builddir/cmd/imgscrub"
image="$top_builddir/tests/fixtures/win.vhd"
out="$top_builddir/example-output"

echo "== imgscrub inspect $image"
"$imgscrub" inspect "$image"
echo
echo "== imgscrub scrub -p sms2-clone-prep -o $out $image"
rm -rf "$out"
"$imgscrub" scrub -p sms2-clone-prep -o "$out" "$image"
echo
echo "== what the manifest says ($out/manifest.json)"
if command -v jq >/dev/null; then
  jq -r '.images[] | "\(.input): \(.status)", (.actions[] | "  \(.result)\t\(.target)")' \
    "$out/manifest.json"
else
  cat "$out/manifest.json"
fi
