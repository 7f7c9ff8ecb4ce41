#!/usr/bin/env python3
"""make layering: the source folders form layers, and no layer reaches up.

Each folder has a rank; a file may include headers of its own component or
of a component with a lower rank, never of a higher one nor of a sibling of
the same rank.  Modules (X.c with X.h) must not include each other in a
cycle, and commands (og_cmd_*, argv parsing) live only in hook/cmd.
usage: check.py [ROOT]   exit 1 with one line per violation."""
import os
import re
import sys

# component: (rank, folders).  Lowest first, as in README.md's Layout table.
LAYERS = {
    "base": (0, ["hook/base"]),
    "common": (1, ["verify/common"]),
    "oci": (2, ["hook/oci"]),
    "identity": (2, ["verify/identity"]),
    "image": (2, ["verify/image"]),
    "sig": (2, ["verify/sig"]),
    "scan": (2, ["verify/scan"]),
    "trust": (3, ["verify/trust"]),
    "policy": (4, ["policy", "policy/rules"]),
    "hook": (5, ["hook"]),
    "delivery": (5, ["hook/delivery"]),
    "cmd": (6, ["hook/cmd"]),
}
FOLDER = {f: c for c, (_, fs) in LAYERS.items() for f in fs}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
COMMAND = re.compile(r"\bog_cmd_\w+|\bgetopt(_long)?\s*\(")
# A prototype in a header, and a definition with external linkage in a .c.
DECLARED = re.compile(r"^(?!#|static\b|typedef\b)\w[\w \t*]*?\b(og_\w+)\s*\([^;{}#]*\)[^;{}#]*;", re.M)
DEFINED = re.compile(r"^(?!static\b)\w[\w \t*]*?\b(og_\w+)\s*\([^;{}#]*\)\s*\{", re.M)
# Declared for a whole folder rather than by the defining module.
SHARED_HEADERS = {"hook/cmd/commands.h": "hook/cmd", "policy/runtime_rules.h": "policy/rules"}


def component(path):
    return FOLDER.get(os.path.dirname(path))


def sources(root):
    for folder in FOLDER:
        d = os.path.join(root, folder)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if name.endswith((".c", ".h")):
                yield os.path.join(folder, name)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(sorted(scc))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    problems, graph, declared, defined = [], {}, {}, []
    for path in sources(root):
        text = open(os.path.join(root, path), encoding="utf-8").read()
        comp = component(path)
        rank = LAYERS[comp][0]
        module = path[:-2]
        for inc in INCLUDE.findall(text):
            target = component(inc)
            if target is None:
                if os.path.dirname(inc) == "" and inc != "seccomp_bpf.h":
                    problems.append(f"{path}: includes \"{inc}\" without its folder")
                continue
            if not os.path.exists(os.path.join(root, inc)):
                problems.append(f"{path}: includes \"{inc}\", which does not exist")
            if target != comp and LAYERS[target][0] >= rank:
                problems.append(f"{path} ({comp}, layer {rank}) includes {inc} "
                                f"({target}, layer {LAYERS[target][0]}): "
                                f"a folder may include only lower layers, not a sibling or higher")
            if inc[:-2] != module:
                graph.setdefault(module, set()).add(inc[:-2])
        code = strip_comments(text)
        if path.endswith(".h"):
            for name in DECLARED.findall(code):
                declared.setdefault(name, set()).add(path)
        else:
            defined += [(name, path) for name in DEFINED.findall(code)]
        if comp != "cmd":
            for m in sorted(set(x.group(0) for x in COMMAND.finditer(strip_comments(text)))):
                problems.append(f"{path}: {m.strip(' (')} outside hook/cmd: "
                                f"commands and argv parsing belong to hook/cmd")
    # A function declared by another module's header hides a dependency
    # (and a cycle) from the include graph.
    for name, path in defined:
        for header in sorted(declared.get(name, ())):
            if header[:-2] != path[:-2] and SHARED_HEADERS.get(header) != os.path.dirname(path):
                problems.append(f"{path} defines {name}, which {header} declares: "
                                f"declare it in {path[:-2]}.h")
    for scc in cycles(graph):
        problems.append("include cycle between modules: " + " <-> ".join(scc))
    for p in problems:
        print("layering:", p)
    print(f"layering: {len(problems)} problem(s) in {len(list(sources(root)))} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
