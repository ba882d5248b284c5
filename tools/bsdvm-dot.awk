# SPDX-License-Identifier: GPL-2.0
# bsdvm graph: a space's dump (Documentation/tracing.rst) as Graphviz,
# drawn like the 4.4BSD figure: the vm_map and its entries in order, each
# entry pointing at its object, each object at the object it shadows
# (its backing object), files below vnode objects.
#   map  -> e0 -> e1 ...     the entry list
#   eN   -> oID              entry's object ("offset")
#   oID  -> oBACKING         shadow chain ("shadows, offset")
#   oID  -> fID              a vnode object's file
BEGIN {
	print "digraph bsdvm {"
	print "  rankdir=LR; node [fontname=\"monospace\", fontsize=10];"
	print "  edge [fontname=\"monospace\", fontsize=9];"
}
$1 == "pid" { pid = $2 }
$1 == "map" {
	printf "  map [shape=box, style=bold, label=\"vm_map\\n%s\\n%s-%s\\n%s entries\"];\n",
	       title, $2, $3, $5
	prev = "map"
}
$1 == "entry" {
	n = ne++
	printf "  e%d [shape=record, label=\"{%s-%s|%s %s|%s|res %s depth %s}\"];\n",
	       n, $2, $3, $4, $5, $6, $10, $11
	printf "  %s -> e%d [arrowhead=none, style=dashed];\n", prev, n
	prev = "e" n
	if ($7 != 0)
		printf "  e%d -> o%s [label=\"off %s\"];\n", n, $7, $9
}
$1 == "object" {
	printf "  o%s [shape=ellipse, label=\"object %s (%s)\\nref %s shadows %s\\nresident %s dirty %s\\n%s\"%s];\n",
	       $2, $2, $3, $4, $5, $9, $10, $11,
	       ($6 != 0 ? ", style=filled, fillcolor=lightyellow" : "")
	if ($6 != 0)
		printf "  o%s -> o%s [label=\"shadows, off %s\"];\n", $2, $6, $7
	if (NF >= 12) {
		f = $12
		for (i = 13; i <= NF; i++)
			f = f " " $i
		gsub(/"/, "\\\"", f)
		printf "  f%s [shape=note, label=\"%s\"];\n  o%s -> f%s;\n", $2, f, $2, $2
	}
}
END { print "}" }
