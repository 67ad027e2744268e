#!/usr/bin/env python3
"""Every C++ and CMake block in README.md and docs/*.md is a copy of code the test suite builds.

A ```cpp or ```cmake block must follow a line naming where its code lives:

    <!-- snippet: examples/guide/word_count_module.hpp#module -->
    ```cpp
    ...
    ```

The name after `#` picks the lines between `// snippet: module` and `// end snippet: module`
in that file (`# snippet: ...` in CMake; without `#NAME`, the whole file); other snippet markers
inside are left out, and the
lines lose their common indentation. The file must be under examples/ or tests/, which the
build compiles. This script fails, showing a diff, where a block and its source differ;
`--fix` rewrites the blocks from their sources instead.

Usage: scripts/check_doc_snippets.py [--fix]
"""

import difflib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
COMPILED_FOLDERS = ("examples/", "tests/")
SOURCE_LINE = re.compile(r"^<!--\s*snippet:\s*(\S+?)(?:#(\S+))?\s*-->\s*$")
MARKER = re.compile(r"^\s*(?://|#)\s*(end )?snippet:\s*(\S+)\s*$")
FENCE_OPENS = ("```cpp", "```cmake")
FENCE_CLOSE = "```"


class SnippetError(Exception):
    pass


def documents():
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").glob("*.md"))


def dedent(lines):
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:].rstrip() for line in lines]


def source_lines(relative, name):
    if not relative.startswith(COMPILED_FOLDERS):
        raise SnippetError(f"{relative} is not under {' or '.join(COMPILED_FOLDERS)}, so nothing compiles it")
    path = ROOT / relative
    if not path.is_file():
        raise SnippetError(f"{relative} does not exist")
    lines = path.read_text().splitlines()
    if name is None:
        return dedent([line for line in lines if not MARKER.match(line)])
    inside, found, region = False, False, []
    for line in lines:
        marker = MARKER.match(line)
        if marker and marker.group(2) == name:
            if marker.group(1) is None:
                if found:
                    raise SnippetError(f"{relative} opens the snippet '{name}' twice")
                inside, found = True, True
            else:
                inside = False
        elif inside and not marker:
            region.append(line)
    if not found:
        raise SnippetError(f"{relative} has no line '// snippet: {name}' (or '# snippet: {name}')")
    if inside:
        raise SnippetError(f"{relative} never closes the snippet '{name}' ('// end snippet: {name}')")
    return dedent(region)


def check(document, fix):
    """The problems in one document; with fix, its blocks are rewritten from their sources."""
    lines = document.read_text().splitlines()
    shown = document.relative_to(ROOT)
    problems, output, i = [], [], 0
    while i < len(lines):
        line = lines[i]
        output.append(line)
        i += 1
        if line.strip() not in FENCE_OPENS:
            continue
        close = next((j for j in range(i, len(lines)) if lines[j].strip() == FENCE_CLOSE), None)
        if close is None:
            problems.append(f"{shown}:{i}: a {line.strip()} block is never closed")
            break
        block = lines[i:close]
        previous = next((lines[j] for j in range(i - 2, -1, -1) if lines[j].strip()), "")
        source = SOURCE_LINE.match(previous)
        expected = block
        if source is None:
            problems.append(f"{shown}:{i}: a {line.strip()} block without '<!-- snippet: PATH#NAME -->' before it")
        else:
            try:
                expected = source_lines(source.group(1), source.group(2))
            except SnippetError as error:
                problems.append(f"{shown}:{i}: {error}")
            if expected != block and not fix:
                diff = difflib.unified_diff(block, expected, f"{shown}:{i}", previous.strip(), lineterm="")
                problems.append(f"{shown}:{i}: differs from its source:\n" + "\n".join(diff))
        output.extend(expected if fix else block)
        output.append(lines[close])
        i = close + 1
    if fix:
        document.write_text("\n".join(output) + "\n")
    return problems


def main(argv):
    fix = argv[1:] == ["--fix"]
    if argv[1:] and not fix:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    problems = [problem for document in documents() for problem in check(document, fix)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
