#!/usr/bin/env python3
"""imgscrub's include rules, read from the sources.

lib/ is layered (LAYERS, lowest first): a file under lib/LAYER/ includes
headers of its own layer or of a layer listed before it, never one after
it; the peers (PEERS) include neither each other.  cmd/ includes lib/
headers but no private one (*/private.h, *-private.h).  No module (a .c
and its .h) reaches itself again through includes: no circle.

  layers.py [--root DIR] [--graph]

Prints each violation and exits 1 when there is one; --graph prints the
figures (modules, include edges, circles, upward includes) as well.
Modules of a flat lib/ (no layer folders) are counted for circles only."""
import os, re, sys

LAYERS = ['util', 'windows', 'image', 'archive', 'profiles', 'guest',
          'actions', 'audit', 'run', 'outputs']
# Layers of one rank: they may include the layers below, not each other.
PEERS = {'audit': 'actions'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rank(layer):
    return LAYERS.index(PEERS.get(layer, layer))


def sources(root):
    for top in ('lib', 'cmd'):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    yield os.path.relpath(os.path.join(d, f), root)


def resolve(root, src, name):
    """The header NAME of SRC as a path from ROOT, or None (a system or
    generated header such as config.h)."""
    for base in (os.path.dirname(src), 'lib', 'cmd'):
        p = os.path.normpath(os.path.join(base, name))
        if os.path.exists(os.path.join(root, p)):
            return p
    return None


def module(path):
    return os.path.splitext(path)[0]


def layer_of(path):
    parts = path.split('/')
    if parts[0] == 'lib' and len(parts) == 3 and parts[1] in LAYERS:
        return parts[1]
    return None


def circles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    root, graph = '.', False
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == '--root':
            root = args.pop(0)
        elif a == '--graph':
            graph = True
        else:
            sys.exit(__doc__)
    problems, edges, n_edges, upward = [], {}, 0, 0
    for src in sources(root):
        text = open(os.path.join(root, src), encoding='utf-8').read()
        for m in INCLUDE.finditer(text):
            line = text.count('\n', 0, m.start()) + 1
            hdr = resolve(root, src, m.group(1))
            if hdr is None:
                continue
            if module(hdr) != module(src):
                edges.setdefault(module(src), set()).add(module(hdr))
                n_edges += 1
            where = '%s:%d: includes "%s"' % (src, line, m.group(1))
            if src.startswith('cmd/'):
                if hdr.startswith('lib/') and re.search(r'(^|[/-])private\.h$', hdr):
                    problems.append('%s, a private header of lib/' % where)
                continue
            have, want = layer_of(src), layer_of(hdr)
            if not hdr.startswith('lib/'):
                problems.append('%s, which is not in lib/' % where)
            elif have and not want:
                problems.append('%s, which is in no layer' % where)
            elif have and want and rank(want) > rank(have):
                problems.append('%s: %s is above %s' % (where, want, have))
                upward += 1
            elif have and want and have != want and rank(want) == rank(have):
                problems.append('%s: %s and %s are peers' % (where, want, have))
                upward += 1
    if os.path.isdir(os.path.join(root, 'lib')):
        for d in os.listdir(os.path.join(root, 'lib')):
            p = os.path.join(root, 'lib', d)
            if os.path.isdir(p) and d not in LAYERS and any(
                    f.endswith(('.c', '.h')) for f in os.listdir(p)):
                problems.append('lib/%s/: a folder that is no layer' % d)
    rings = circles(edges)
    for c in rings:
        problems.append('include circle: %s' % ' '.join(c))
    if graph:
        mods = {module(s) for s in sources(root)}
        print('modules %d, include edges %d, circles %d (largest %d), '
              'upward includes %d' % (len(mods), n_edges, len(rings),
                                      max([len(c) for c in rings] or [0]),
                                      upward))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
