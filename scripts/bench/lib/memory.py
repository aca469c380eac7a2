"""The Herald plugin's memory, for scripts/bench/lib/memory.sh.

usage: python3 memory.py point PHASE RSS_KB NMT_FILE HEAP_FILE   -> one JSON line
       python3 memory.py split SMAPS_FILE SYSTEM_MAP_FILE        -> MB by mapping kind, as JSON

point: the output of `jcmd PID VM.native_memory summary` (committed KB of each category, and the
malloc total) and of `jcmd PID GC.heap_info` (the serial collector's generations: committed and
used KB) with the RSS, under the phase's name.
split: the resident KB of every mapping of /proc/PID/smaps, summed by kind. The JVM's own regions
(Java heap, code cache, class space and metaspace, thread stacks, GC data, the AOT cache) are named
by `jcmd PID System.map`, which prints NMT's name for each mapping; a mapping is given the kind of
the System.map region that holds its start. Files are named by their path, and what is left is
anonymous memory the JVM does not account as a region: glibc's malloc arenas, mostly.
"""
import json
import re
import sys

NMT_CATEGORY = re.compile(r"^-\s+(.+?) \(reserved=(\d+)KB, committed=(\d+)KB")
NMT_MALLOC = re.compile(r"^\s+malloc: (\d+)KB")
NMT_TOTAL = re.compile(r"^Total: reserved=(\d+)KB, committed=(\d+)KB")
HEAP_GEN = re.compile(r"^(\w+)\s+total (\d+)K, used (\d+)K")
SMAPS_HEAD = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$")
MAP_LINE = re.compile(r"^0x([0-9a-f]+)-0x([0-9a-f]+)\s+\d+\s+\S+\s+\d+\s+\d+\s+\S+\s+\S+\s+(\S+)\s+(.*)$")
KINDS = {"JAVAHEAP": "heap", "CODE": "code", "CLASS": "class+meta", "META": "class+meta", "STACK": "stacks",
         "GC": "gc", "CARDTBL": "gc", "CDS": "aot cache"}


def point(phase, rss_kb, nmt_file, heap_file):
    categories, malloc, total = {}, None, None
    with open(nmt_file) as f:
        for line in f:
            if m := NMT_CATEGORY.match(line):
                categories[m.group(1).strip()] = int(m.group(3))
            elif (m := NMT_MALLOC.match(line)) and malloc is None:
                malloc = int(m.group(1))
            elif m := NMT_TOTAL.match(line):
                total = int(m.group(2))
    heap = {}
    with open(heap_file) as f:
        for line in f:
            if m := HEAP_GEN.match(line.strip()):
                heap[m.group(1)] = {"committed_kb": int(m.group(2)), "used_kb": int(m.group(3))}
    return {"phase": phase, "rss_kb": int(rss_kb), "nmt_committed_kb": total, "nmt_malloc_kb": malloc,
            "nmt_kb": categories, "heap": heap,
            "heap_committed_kb": sum(g["committed_kb"] for g in heap.values()),
            "heap_used_kb": sum(g["used_kb"] for g in heap.values())}


def split(smaps_file, map_file):
    regions = []
    try:
        with open(map_file) as f:
            for line in f:
                if m := MAP_LINE.match(line):
                    info = m.group(3)
                    if info in KINDS:
                        regions.append((int(m.group(1), 16), int(m.group(2), 16), KINDS[info]))
    except FileNotFoundError:
        pass
    regions.sort()

    def kind_of(start, path):
        for lo, hi, kind in regions:
            if lo <= start < hi:
                return kind
        if path.endswith(".aot") or path.endswith(".jsa"):
            return "aot cache"
        if path.endswith("/libjvm.so"):
            return "libjvm"
        if path.startswith("[stack"):
            return "stacks"
        if path and not path.startswith("["):
            return "other files"
        return "anonymous"

    kb, kind = {}, None
    with open(smaps_file) as f:
        for line in f:
            if m := SMAPS_HEAD.match(line):
                kind = kind_of(int(m.group(1), 16), m.group(3).strip())
            elif line.startswith("Rss:") and kind:
                kb[kind] = kb.get(kind, 0) + int(line.split()[1])
    out = {k: round(v / 1024, 1) for k, v in sorted(kb.items(), key=lambda kv: -kv[1])}
    out["total"] = round(sum(kb.values()) / 1024, 1)
    return out


if __name__ == "__main__":
    if sys.argv[1] == "point":
        print(json.dumps(point(*sys.argv[2:6])))
    elif sys.argv[1] == "split":
        print(json.dumps(split(*sys.argv[2:4])))
    else:
        sys.exit(f"memory.py: unknown command {sys.argv[1]}")
