# SPDX-License-Identifier: GPL-2.0
# bsdvm maps: a space's dump (Documentation/tracing.rst) as two tables.
$1 == "pid" { printf "pid %s  arena %s-%s\n", $2, $4, $5; next }
$1 == "map" { printf "%s entries, %s bytes mapped, brk %s-%s\n\n", $5, $7, $9, $10; next }
$1 == "entry" {
	if (!ne++)
		printf "%-14s %-14s %-7s %-5s %-14s %6s %-5s %8s %6s %5s\n",
		       "START", "END", "PRT/MAX", "INH", "FLAGS", "OBJ",
		       "TYPE", "OFFSET", "RES", "DEPTH"
	printf "%-14s %-14s %-7s %-5s %-14s %6s %-5s %8s %6s %5s\n",
	       $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
	next
}
$1 == "object" {
	if (!no++)
		printf "\n%6s %-5s %4s %7s %7s %8s %6s %6s %6s %s\n", "OBJ",
		       "TYPE", "REF", "SHADOWS", "BACKING", "B_OFF", "SIZE",
		       "RES", "DIRTY", "FLAGS"
	extra = ""
	for (i = 12; i <= NF; i++)
		extra = extra " " $i
	printf "%6s %-5s %4s %7s %7s %8s %6s %6s %6s %s%s\n", $2, $3, $4,
	       $5, $6, $7, $8, $9, $10, $11, extra
	next
}
