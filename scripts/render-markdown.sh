#!/usr/bin/env bash
# Renders flightcheck's Markdown review the way GitHub does and takes screenshots of it, to
# check by eye that tables, code blocks, task lists and escaping render well
# (docs/markdown-review.md). A manual check: no test runs this script.
#
# Usage: scripts/render-markdown.sh [PROJECT_DIR | REVIEW.md] [OUT_DIR]
#   PROJECT_DIR  the project to scan (default: examples/booking-bot)
#   REVIEW.md    a review written earlier (`--output markdown=REVIEW.md`): rendered as it is
#   OUT_DIR      where review.md, review.html, review.png and the review-N.png tiles go
#                (default: /tmp/flightcheck-review)
#
# Needs:
#   - cargo (or FLIGHTCHECK=/path/to/flightcheck to use a built binary; CARGO_TARGET_DIR is
#     respected when building)
#   - python3 with `cmarkgfm` (Python bindings to cmark-gfm, GitHub's own Markdown renderer)
#     and `pillow` (to cut the page into screen-sized tiles): `pip install cmarkgfm pillow`
#   - npm, to fetch `github-markdown-css` (GitHub's Markdown stylesheet)
#   - chromium (`apt-get install -y chromium`)
#
# Then look at OUT_DIR/review-1.png, review-2.png, ... (1200 px wide, 1600 px tall each).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="${1:-$repo_root/examples/booking-bot}"
out="${2:-/tmp/flightcheck-review}"
mkdir -p "$out"

# 1. The review. Exit code 1 only means the gate failed (the example has blockers).
if [[ -f "$project" && "$project" == *.md ]]; then
    cp "$project" "$out/review.md"
elif [[ -n "${FLIGHTCHECK:-}" ]]; then
    "$FLIGHTCHECK" scan "$project" --format markdown >"$out/review.md" || [[ $? -eq 1 ]]
else
    (cd "$repo_root" && cargo run --quiet -p flightcheck -- scan "$project" --format markdown) \
        >"$out/review.md" || [[ $? -eq 1 ]]
fi

# 2. GitHub's stylesheet for rendered Markdown (light theme).
if [[ ! -f "$out/github-markdown-light.css" ]]; then
    (cd "$out" && npm pack --silent github-markdown-css@5 >/dev/null)
    tar -xzf "$out"/github-markdown-css-*.tgz -C "$out" package/github-markdown-light.css
    mv "$out/package/github-markdown-light.css" "$out/github-markdown-light.css"
    rmdir "$out/package"
fi

# 3. Markdown to HTML with GitHub's extensions (tables, task lists, strikethrough, autolinks,
#    tag filter). Raw HTML is let through as on GitHub, which allows <details>/<summary>:
#    any other HTML the review leaked would show up in the page.
python3 - "$out" <<'EOF'
import pathlib, sys
import cmarkgfm
from cmarkgfm.cmark import Options

out = pathlib.Path(sys.argv[1])
body = cmarkgfm.github_flavored_markdown_to_html(
    (out / "review.md").read_text(encoding="utf-8"), options=Options.CMARK_OPT_UNSAFE
)
(out / "review.html").write_text(
    """<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="github-markdown-light.css">
<style>
  body { background: #fff; margin: 0; }
  .markdown-body { box-sizing: border-box; max-width: 1012px; margin: 0 auto; padding: 32px; }
</style></head>
<body><article class="markdown-body">
""" + body + """</article></body></html>
""",
    encoding="utf-8",
)
EOF

# 4. One tall screenshot, cut into screen-sized tiles so each can be read at full size.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$out/review.png" --window-size=1200,16000 "file://$out/review.html" 2>/dev/null
python3 - "$out" <<'EOF'
import pathlib, sys
from PIL import Image

out = pathlib.Path(sys.argv[1])
page = Image.open(out / "review.png").convert("RGB")
# Drop the blank bottom of the tall window.
width, height = page.size
bbox = Image.eval(page, lambda v: 255 - v).getbbox()
bottom = min(height, (bbox[3] if bbox else height) + 40)
for old in out.glob("review-*.png"):
    old.unlink()
tile = 1600
for n, top in enumerate(range(0, bottom, tile), start=1):
    page.crop((0, top, width, min(top + tile, bottom))).save(out / f"review-{n}.png")
    print(out / f"review-{n}.png")
EOF
