#!/bin/sh
# Cases from GNU parallel's own test suite (testsuite/tests-to-run/
# parallel-local-0.3s.sh and parallel-local-1s.sh; each case names the
# par_ function it comes from and the behaviour it checks), written anew
# for the features pooltop shares with GNU parallel.  Each case is a shell
# snippet run twice, with `tool` standing for GNU parallel and then for
# pooltop (headless, quiet), each time in a fresh directory holding the
# same files: the two runs must print the same bytes, end with the same
# status and leave the same files (joblog times masked).  Where a case
# meets a difference the man page lists under COMPATIBILITY WITH GNU
# PARALLEL, pooltop's documented behaviour is checked instead (the last
# part).  tests/cli/gnu-compat.sh holds the hand-made cases.  Skipped
# without GNU parallel.
# The cases are snippets that `one` evaluates: $ in them is for later.
# shellcheck disable=SC2016
. "$POOLTOP_SRCDIR/tests/lib.sh"
. "$POOLTOP_SRCDIR/tests/rely/rely.sh"

need_gnu_parallel
# GNU parallel runs commands with its parent's shell: make it pooltop's.
export PARALLEL_SHELL=/bin/sh
cd "$T" || exit 99

# tool ARGS...: the tool of this run ($_tool).  pooltop writes --results
# in GNU parallel's layout (its own is documented).
# $_opts: default options, in $POOLTOP for pooltop and $PARALLEL for
# GNU parallel (see opts).
tool() {
	if [ "$_tool" = pooltop ]; then
		POOLTOP="--results-layout gnu $_opts" "$POOLTOP_BIN" --headless -q "$@"
	else
		PARALLEL="$_opts" parallel "$@"
	fi
}

# opts WORDS: the default options of the tools run after it in a case.
opts() { _opts=$*; }

# masked FILE: a joblog with Starttime and JobRuntime masked and its
# lines in Seq order (tasks end in any order), in place.
masked() {
	awk -F'\t' 'BEGIN { OFS = "\t" } $1 != "Seq" { $3 = "T"; $4 = "T" } 1' \
	    "$1" | sort -s -t "$(printf '\t')" -k1,1n >"$1.m" && mv "$1.m" "$1"
}

# one NAME TOOL SNIPPET: run SNIPPET with TOOL in NAME/TOOL/ (fixtures:
# ten, xy); its output and status in NAME/TOOL.out, stderr in .err.
one() {
	_tool=$2
	mkdir -p "$1/$2"
	(
		cd "$1/$2" || exit 99
		_opts=
		seq 10 >ten
		printf 'x\ny\n' >xy
		eval "$3"
		echo "status $?"
		for _j in *.jl; do
			[ ! -f "$_j" ] || masked "$_j"
		done
	) >"$1/$2.out" 2>"$1/$2.err" </dev/null
}

# same NAME SNIPPET: both tools (side by side), the same output, status
# and files.  Cases run two at a time (four processes: the machine's
# cores are kept busy while GNU parallel's Perl starts); settle reports
# them, in order.
_pending=
_pids=
same() {
	one "$1" parallel "$2" &
	_pids="$_pids $!"
	one "$1" pooltop "$2" &
	_pids="$_pids $!"
	_pending="$_pending $1"
	[ "$(echo "$_pending" | wc -w)" -lt 2 ] || settle
}

# settle: wait for the cases under way, then report each.
settle() {
	for _w in $_pids; do
		wait "$_w"
	done
	for _c in $_pending; do
		if cmp -s "$_c/parallel.out" "$_c/pooltop.out" &&
		    diff -r "$_c/parallel" "$_c/pooltop" >"$_c.diff" 2>&1; then
			ok "$_c: same output, status and files"
		else
			fail "$_c: same output, status and files"
			diff "$_c/parallel.out" "$_c/pooltop.out" >>"$_c.diff" 2>&1
			head -20 "$_c.diff" | sed 's/^/# /'
			sed 's/^/# pooltop: /' "$_c/pooltop.err" | head -5
		fi
	done
	_pending=
	_pids=
}

# --- replacement strings ---------------------------------------------
# par_echo_jobseq: {#} counts the combinations of two sources.
same echo_jobseq 'tool -k echo {#} ::: 1 2 ::: 1 2'
# par_test_job_number: {#} of items from stdin.
same job_number 'seq 1 10 | tool -k echo {#}'
# par_replacement_string_on_utf8: {} and {.} on UTF-8 items holding
# braces, parentheses and quotes.
same rpl_utf8 'printf "%s\n" "中国 (Zhōngguó)/China'"'"'s (中国) road.jpg" \
    "中国.(中国)" "/tmp/test-of-{.}-parallel/subdir/file" \
    "/tmp/test-of-{.}-parallel/subdir/file{.}.funkyextension}}" |
    tool -k echo {} {.}'
# par_negative_replacement: {-1} with -N 6, and with -X.
same rpl_negative_N 'tool -N 6 echo {-1}orrect ::: A B X D E c'
same rpl_negative_X 'tool -X -j1 -N 6 echo {-1}orrec{1} ::: t B X D E c'
# par_negative_replacement: {-3} of --colsep columns.
same rpl_negative_colsep 'tool --colsep " " echo "{-3}orrect" ::: "1 c 3 4"'
# par_negative_replacement (as one shell string): {2} and {-1} of
# columns inside $((...)) is refused by pooltop (see below); in words:
same rpl_negative_colsep2 'tool --colsep " " "echo {2} + {4} = {2} + {-1}" \
    ::: "1 2 3 4"'
# par_replacement_strings: {/} {/.} {2/.} {2/} {2.} with -X.
same rpl_X_slash 'tool -j1 -k -X echo {/} ::: /a/b.c a/b.c b.c /a/b a/b b
    tool -j1 -k -X echo {/.} ::: /a/b.c a/b.c b.c /a/b a/b b'
same rpl_X_positional 'tool -j1 -k -X echo {2/.} ::: /a/number1.c \
    a/number2.c number3.c /a/number4 a/number5 number6
    tool -j1 -k -X echo {2/} ::: /a/number1.c a/number2.c
    tool -j1 -k -X echo {2.} ::: /a/number1.c a/number2.c number3.c'
# par_wd_3dot_local: --workdir for tasks on this machine, -S : or not
# (its ... form, with paths of each tool's own, is in tests/cli/workdir.sh).
same wd_local 'tool --wd / "pwd; echo {}" ::: OK
    tool -S : --wd / "pwd; echo {}" ::: OK'
same wd_local_rel 'tool -k --wd "sub/{}" "pwd | sed s,.\*/,,; : {#}" ::: a b
    ls sub'
# par_rpl_repeats: {.} repeats no more than {} under -X and -m, -s 80.
same rpl_repeats 'seq 15 | sed "s/\$/.gif/" | tool -j1 -s 80 -kX echo a{}b{.}c{.}
    seq 15 | sed "s/\$/.gif/" | tool -j1 -s 80 -km echo a{}b{.}c{.}'
# par_test_m_X: -m against -X, several replacement strings in a word.
same m_vs_X '(echo foo; echo bar; echo joe.gif) |
    tool -j1 -km echo 1{}2{.}3 A{.}B{.}C
    (echo foo; echo bar; echo joe.gif) | tool -j1 -kX echo 1{}2{.}3 A{.}B{.}C'
same m_vs_X_gif 'seq 1 6 | sed "s/\$/.gif/" | tool -j1 -km echo a{}b{.}c{.}
    seq 1 6 | sed "s/\$/.gif/" | tool -j1 -kX echo a{}b{.}c{.}'
# par_test_L_context_replace: -L 10 repeats the word around {}.
same L_context 'seq 19 | tool -k -L 10 echo a{}b'
# par_header_parens: {var/.} {var//} {var/} {var.} of a named column.
same header_modifiers 'for m in "/." "//" "/" "."; do
    tool --header : echo "{var$m}" ::: var sub/dir/file.ext; done'

# --- input sources ---------------------------------------------------
# par_argfile: -a and --arg-file.
same argfile 'tool -k -a ten echo; tool -k --arg-file ten echo'
# par__mix_triple_colon_with_quad_colon: ::: and :::: mixed, -a, -a -.
same mix_files_args 'seq 6 7 >a; seq 4 5 >b; seq 1 3 >c
    tool -k echo {1} {2} {3} :::: a ::: 4 5 ::: 1 2 3
    tool -k echo {1} {2} {3} :::: a b :::: c
    tool -k -a a echo {1} {2} {3} :::: b :::: c
    tool -k -a a -a b echo {1} {2} {3} ::: 1 2 3'
same mix_stdin 'seq 4 5 >b; seq 6 7 >a
    seq 6 7 | tool -k -a - -a b echo {1} {2} {3} ::: 1 2 3
    seq 4 5 | tool -k echo {1} {2} {3} :::: a - ::: 1 2 3'
# par_tricolonplus: ::::+ and :::+ in every position.
same tricolonplus 'seq 3 >a; seq 21 23 >b
    tool -k echo ::: 11 22 33 ::::+ a b ::: a b c :::+ aa bb cc
    tool -k echo :::: a b :::+ a b c ::: aa bb cc
    tool -k echo :::: a :::: b :::+ a b c ::: aa bb cc'
# par_link_files_as_only_arg: ::::+ alone links its files.
same link_files_only 'seq 10 >a; seq 3 >b; seq 4 >c; tool -k echo ::::+ a b c'
# par_compute_command_len: -N2 {1} {2}.
same N2_positional 'seq 1 2 | tool -k -N2 echo {1} {2}'
# par_test_zero_args, par_replace_replacementstring,
# par_arguments_on_cmdline: -n0 -L0 -N0 give no argument, {} nothing.
same zero_args 'seq 1 2 | tool -k -n0 echo n0; seq 1 2 | tool -k -L0 echo L0
    seq 1 2 | tool -k -N0 echo N0
    seq 1 2 | tool -k -N0 echo replace {} curlies
    tool -k -N0 echo args on cmdline ::: 1 2'
# par_empty_line, par_read_from_stdin: an empty line is an item; items
# that are whole commands.
same empty_line 'echo | tool echo empty input line
    (echo echo a; echo; echo echo b) | tool -k'
same commands_stdin 'for i in 1 2 3; do echo "echo a $i; echo b $i"; done |
    tool -k; echo true | tool; echo $?; echo false | tool; echo $?'
# par__quote_bugs: > as an item is data; commands as items are not
# quoted.
same quote_gt 'echo ">" | tool echo; tool echo ::: ">"
    tool -X -j1 echo ::: ">" 2; echo ">/dev/null" | tool echo; ls'
same must_not_quote 'echo "echo | wc -l" | tool; tool ::: "echo | wc -l"
    tool -k ::: "echo a b c | wc -w" "echo a b | wc -w"'
# par_keep_order: -k keeps the order of commands given as items.
same keep_order 'tool -k ::: "sleep 0.3; echo 1" "echo 2" "echo 3"'
# par_0_no_newline: a last item "0" without a newline still runs.
same zero_no_newline 'printf 0 | tool echo'
# par_empty: an item that is a shell word.
same item_true 'tool echo ::: true'
# par_empty_input_on_stdin: --shuf of no input runs nothing.
same shuf_no_input 'true | tool --shuf echo'
# par_crnl: CRLF input: the \r stays in the item.
same crlf_items 'printf "b\r\nc\r\nd\r\n" | tool -k echo {}a | od -c'
# par_xargs_nul_char_in_input: a NUL on newline-separated input is
# replaced by \0 (printed by printf: /bin/echo reads no escapes).
same nul_in_input 'printf "foo\0not printed" | tool "printf \"<%s>\n\" {}" |
    od -c'

# --- -E, -r ----------------------------------------------------------------
# par_eof_on_command_line_input_source: -E on ::: items.
same eof_args 'tool -k -E ole echo ::: foo ole bar'
# par_test_E: -E ends each input source on its own, one emptied or all.
same eof_sources 'seq 3 11 >c
    seq 1 100 | tool -k -E 5 echo :::: - ::: 2 3 4 5 6 7 8 9 10 :::: c
    seq 1 100 | tool -k -E 3 echo :::: - ::: 2 3 4 5 6 7 8 9 10 :::: c
    seq 1 100 | tool -k -E 3 echo :::: - ::: 3 4 5 6 7 8 9 10 :::: c
    seq 3 100 | tool -k -E 3 echo :::: - ::: 3 4 5 6 7 8 9 10 :::: c; echo $?'
# par_empty_string_command_line, par_no_run_if_empty: -r skips blank
# items, {#} numbering the others.
same run_if_empty 'tool -k -r echo {#} {} ::: foo "" " " ole bar
    echo "  " | tool -r echo; echo "  " | tool --no-run-if-empty echo
    printf "a

 
b
" | tool -k -r -N2 "echo \"<{1}><{2}>\""'
# par_trailing_space_line_continuation: -r -L2, and with -E bar.
same L2_r_eof '(echo foo; echo ""; echo "ole "; echo bar; echo quux) |
    tool -kr -L2 echo; tool -kr -L2 echo ::: foo "" "ole " bar quux
    (echo foo; echo ""; echo "ole "; echo bar; echo quux) |
    tool -kr -L2 -E bar echo; tool -kr -L2 -E bar echo ::: foo "" "ole " bar quux'

# par_delimiter: -d and --delimiter, N, \0, \t (the last item keeps
# echo's newline).
same delimiter 'echo "line 1Nline 2Nline 3" | tool -k -d N echo This is
    echo "line 1Nline 2Nline 3" | tool -k --delimiter N echo This is
    printf "delimiter NUL line 1\0line 2\0line 3" | tool -k -d "\0" echo
    printf "delimiter TAB line 1\tline 2\tline 3" | tool -k --delimiter "\t" echo'

# --- -s, -X, -m, -L ----------------------------------------------------
# par_maxchar_s: --max-chars and -s with -X.
same max_chars '(echo line 1; echo line 1; echo line 2) |
    tool -k --max-chars 25 -X echo
    (echo line 1; echo line 1; echo line 2) | tool -k -s 25 -X echo'
# par_test_gt_quoting: --max-lines 3 joins lines of >.
same max_lines_gt '(echo "> "; echo "> "; echo ">") | tool --max-lines 3 echo'
# par_trailing_space_line_continuation: -L2, a line ending in a blank
# goes on (without -r: see COMPATIBILITY).
same L2_trailing '(echo foo; echo ""; echo "ole "; echo bar; echo quux) |
    tool -k -L2 echo; tool -k -L2 echo ::: foo "" "ole " bar quux'

# --- columns -----------------------------------------------------------
# par_expansion_in_colsep: empty trailing columns.
same colsep_empty 'echo A,B,, | tool --colsep , echo {1}{3}{2}'
# par_colsep_0: a digit as --colsep, with --header.
same colsep_digit 'tool --colsep 0 echo {2} ::: a0OK0c
    tool --header : --colsep 0 echo {ok} ::: A0ok0B a0OK0b'
# par_compute_command_len: --colsep %+ (the columns trimmed, GNU
# parallel's --colsep implying --trim lr).
same colsep_trim 'tool -k --colsep %+ "echo \"{1}_{3}_{2}_{4}\"" \
    ::: "a% c %%b" "a%c% b %d"; tool -k --colsep %+ echo {4} ::: "a% c %%b"'
# par_trim_illegal_value: --trim fj is refused.
same trim_illegal 'tool --trim fj echo ::: a; echo $?'
# --trim (GNU parallel's man page): l, r, lr on ::: items and in --tag.
same trim_modes 'tool -k --trim lr "printf \"<%s>\" {}; echo" ::: " a " "b "
    tool -k --trim l "printf \"<%s>\" {1} {2}; echo" ::: " a " ::: " b "
    tool -k --trim lr --tag "echo x" ::: " a "
    tool -k --colsep , --trim n "printf \"<%s>\" {1} {2}; echo" ::: " a , b "
    tool -k --colsep , --tag "echo x" ::: " a , b "'
# par_colsep_default: --header : splits at tabs by default.
same colsep_default 'printf "A\tB\n1\tone" | tool --header : echo {B} {A}'
# par_cr_newline_header: a CRLF header names its columns without \r.
same cr_header 'printf "foo\r\nbar\r\n" | tool --colsep , --header : echo {foo}
    printf "foo\r\nbar\r\nbaz\n" | tool -k --header : "echo {foo}x" | od -c'
# par_header: --header : over two ::: sources, names and numbers.
same header_two 'tool --header : echo {a} {b} {1} {2} ::: b b1 ::: a a2'
# par_csv: quoted fields with doubled quotes, commas and newlines.
if perl -MText::CSV -e 1 2>/dev/null; then
	same csv '(echo "\"col1\"\"x3\"\"\",\"new"; echo "line col2\",\"new2"
	    echo "line col3\",col 4") | tool --csv echo {1}-{2}-{3}-{4}
	    echo "\"2\"\"x3\"\" board\",\"Value with ,\",Column 3" |
	    tool --csv echo {1}-{2}-{3}'
else
	ok "csv # SKIP GNU parallel's --csv needs Perl's Text::CSV"
fi

# --- --tagstring, --dry-run ------------------------------------------
# par_tagstring: replacement strings in --tagstring.
same tagstring 'tool -j1 -k --tagstring a{}b echo ::: 3 4
    tool -j1 -k --tagstring a{}b echo job{#} ::: 3 4
    tool -j1 -k --tagstring ajob{#}b echo job{#} ::: 3 4'
# par_tagstring_with_d (without -d): {#} as the tag of several lines.
same tagstring_seq '(seq 3; echo; seq 4) | tool -k --tagstring {#} "echo ABC;echo"'
# par_no_joblog_with_dryrun: --dry-run writes no joblog line.
same dryrun_joblog 'tool --dryrun --joblog - echo ::: Only_this'
# par_dryrun_append_joblog: --dry-run appends nothing to +FILE.
same dryrun_append 'tool -k --jl j.jl echo ::: 1 2 3
    tool --dryrun -k --jl +j.jl echo ::: 1 2 3 4; wc -l <j.jl'

# --- the joblog, --resume ------------------------------------------------
# par_resume_k: --resume -k, then again, then with more items.
same resume_k 'tool -k --resume --joblog j.jl "echo job{}id;exit {}" \
    ::: 0 1 2 3 0 5; echo try2
    tool -k --resume --joblog j.jl "echo job{}id;exit {}" ::: 0 1 2 3 0 5
    echo two extra
    tool -k --resume --joblog j.jl "echo job{}id;exit 0" ::: 0 1 2 3 0 5 6 7'
# par_append_joblog: --joblog +FILE appends.
same append_joblog 'tool --joblog j.jl echo ::: 1
    tool --joblog +j.jl echo ::: 1; wc -l <j.jl'
# par_null_resume: --resume with newline and NUL separated input.
same null_resume 'printf "%s\n" a b c | tool --resume -k --jl j.jl echo
    printf "%s\n" a b c | tool --resume -k --jl j.jl echo; : >k.jl
    printf "%s\0" A B C | tool --null --resume -k --jl k.jl echo
    printf "%s\0" A B C | tool --null --resume -k --jl k.jl echo'

# --- --halt, --retries, exit status --------------------------------------
# par_halt_one_job: now and soon with one job slot.
same halt_one_job 'for w in now soon; do for i in "0 1 0" "1 0 1"; do
    tool -j1 --halt $w,fail=1 "echo {#};exit {}" ::: $i; echo $?; done; done'
# par_exit_val: --halt now,fail=1 of tasks that all succeed exits 0.
same halt_exit 'seq 10 | tool --halt now,fail=1 true; echo $?'
# par_halt_on_error_division_by_zero: fail=100% of no input, both names.
same halt_100 'tool --halt-on-error soon,fail=100% echo </dev/null; echo $?
    tool --halt soon,fail=100% echo </dev/null; echo $?'
# par_retries_replacement_string (with a number): --retries 2 makes two
# attempts in all.
same retries '(tool -k --retries 2 "echo {}; echo {} >>tries; exit 1" ::: a
    echo $?); cat tries'

# --- --results -----------------------------------------------------------
# par_results: DIR/1/ITEM/stdout for each item.
same results_dir 'tool -k --results d echo ::: a b c; cat d/*/*/stdout'
# par_results_arg_256: an item of 256 bytes names a directory of 255
# (the rest: see below).
same results_256 'a=$(printf "%0256d" 7); tool --results d echo ::: "$a"
    ls d/1/; rm -r d'
# par_result: two sources, DIR/1/I/2/III/.
same results_two 'tool -k --results r echo {1} {2} ::: I II ::: III IIII
    find r | sort'
# par_result: --header : names the levels.
same results_header 'tool -k --header : --results r echo {1} {2} \
    ::: a I II ::: b III IIII; find r | sort
    tool -k --header : --results s echo {a} {b} ::: b III IIII ::: a I II
    find s | sort'
# par_results_json: --results FILE.json and -.json (times masked).
same results_json 'tool -k --results foo.json seq ::: 2 3 ::: 4 5
    sed "s/[0-9]*\.[0-9][0-9][0-9]/9.999/g" foo.json; rm foo.json
    tool -k --results -.json seq ::: 2 3 ::: 4 5 |
    sed "s/[0-9]*\.[0-9][0-9][0-9]/9.999/g"'
# par_json: quotes, a tab and backslashes in values and output.
same results_json_hostile 'printf "\"\t\\\\\"" |
    tool -k --results -.json "printf \"<%s>\" {}; echo" :::: - ::: "\"" "\\\\" |
    sed "s/[0-9]/0/g"'

# --- --pipe ----------------------------------------------------------------
# par_pipe_no_run_if_empty (without -r): -n 1 records with --recend \n,
# \0, and --recstart/--recend [[ ]] with separators as data.
same pipe_n1_newline 'printf " \nA\n \n\nB\n\n " |
    tool -n 1 --pipe --recend "\n" -k "echo {#};cat;echo {#}"'
same pipe_n1_nul 'printf " \0A\0 \0\0B\0\0 " |
    tool -n 1 --pipe --recend "\0" -k "echo {#};cat;echo {#}"'
same pipe_recstart_recend 'printf " ]][[A]][[ ]][[]][[B]][[]][[ " |
    tool -n 1 --pipe --recstart "[[" --recend "]]" -k "echo {#};cat;echo {#}"
    printf " [[A]][[ ]][[]][[B]][[]] " |
    tool -n 1 --pipe --recstart "[[" --recend "]]" -k "echo {#};cat;echo {#}"
    printf " [[A]] ]][[ ]][[]][[[[B]][[]] " |
    tool -n 1 --pipe --recstart "[[" --recend "]]" -k "echo {#};cat;echo {#}"'
# par_pipe_float_blocksize: --block 3.1 (counted, see COMPATIBILITY for
# wc on a file).
same pipe_block_float 'seq 5 | tool --block 3.1 --pipe "wc -l | tr -d \" \""'
# par_pipe_unneeded_procs: -j30 starts no task for no block.
same pipe_unneeded 'seq 3 | tool -j30 --pipe --block-size 10 "cat;echo o"'
# par_test_r_with_pipe (without -r): an empty line is one block.
same pipe_empty_line 'echo | tool -j2 -N1 --pipe cat | wc -l'
# par_pipe_no_command: --pipe without a command is cat.
same pipe_no_command 'seq -w 10 | tool --pipe'
# par_jobslot_jobnumber_pipe: {#} and {%} with --pipe (the task reads
# its block: GNU parallel's write to a task that does not may fail; -j1:
# the first task's slot, see COMPATIBILITY).
same pipe_seq_slot 'echo foo | tool --pipe -k "cat >/dev/null; echo {#}"
    echo foo | tool -j1 --pipe -k "cat >/dev/null; echo {%}"'
# par_recend_recstart_hash: --regexp -N1 with # and a space.
same pipe_regexp_hash '(echo "#rec1"; echo bar; echo "#rec2") |
    tool -k --regexp --pipe -N1 --recstart "#" "od -c"
    (echo " rec1"; echo bar; echo " rec2") |
    tool -k --regexp --pipe -N1 --recstart " " "od -c"
    (echo rec2; echo "bar#"; echo rec2) |
    tool -k --regexp --pipe -N1 --recend "#" "od -c"'
# par_slow_pipe_regexp: --regexp -N1000, the input not starting with a
# recstart: its first bytes are a block of their own; nothing lost.
same pipe_regexp_N 'seq 54000 80000 |
    tool -N1000 --regexp --pipe --recstart 4 --recend 5 -k cksum
    seq 54000 80000 |
    tool -N1000 --regexp --pipe --recstart 4 --recend 5 -k cat | cksum'
# par_pipe_N1_regexp: --recstart with \n, --regexp or not.
same pipe_recstart_nl 'printf "begin\n%send\n" "" a b c |
    tool -kN1 --recstart "begin\n" --pipe --regexp "echo JOB{#};cat;echo END"
    printf "begin\n%send\n" "" a b c |
    tool -kN1 --recstart "begin\n" --pipe "echo JOB{#};cat;echo END"'
# par_recend_not_regexp: --rrs with a --recend that is not an expression.
same pipe_rrs 'echo "a+b" | tool -k --pipe --rrs --recend "+" -N1 "cat;echo end"'
# par_header: --pipe -N2 with a header of two lines (GNU parallel's
# '.*\n.*\n' is --header 2 here), and with --block 1k.
same pipe_header 'printf "h1\nh2\n1a\n1b\n2a\n2b\n3a\n" |
    tool -j1 --pipe -N2 -k --header 2 "echo Start;cat; echo Stop"'
same pipe_header_block '(echo h1; echo h2
    awk "BEGIN { for (i = 1; i <= 22; i++) printf \"%dxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\", i }") |
    tool -j1 --pipe -k --block 1k --header 2 "echo Start;cat; echo Stop"'
# par_tagstring_pipe: --tagstring {#} of -N1000 blocks.
same pipe_tagstring 'seq 3000 | tool -j4 --pipe -N1000 -k --tagstring {#} wc -l'
# par_pipepart_header: --pipepart -a FILE --block 5, and --regexp.
same pipepart_block 'tool --pipepart -a ten -k --block 5 "echo foo; cat"
    tool --pipepart -a ten -k --block 2 --regexp --recend "3\n" "echo foo; cat"'
# par_pipepart_recend_recstart: --recstart 6 --block 1 (the block grows
# to a record), --pipe-part and --pipe.
same pipepart_recstart 'tool -k --pipepart -a ten --recend "\n" --recstart 6 \
    --block 1 "echo a; cat"
    tool -k --pipe <ten --recend "\n" --recstart 6 --block 1 "echo a; cat"'
# par_pipepart_block (with -a): blocks of a file and the joblog's Send.
same pipepart_joblog 'seq 1000 >f; tool -j2 -k --jl p.jl --pipe-part -a f \
    "echo {#}; wc -l"'

# par_maxproc (with a number): -P, --jobs and --max-procs are -j.
same max_procs 'seq 1 3 | tool -k -P 2 echo; seq 1 3 | tool -k --jobs 2 echo
    seq 1 3 | tool -k --max-procs 1 echo max proc'

# --- options the cases above leave out ------------------------------------
# par__jobslot_repl (--shuf): every task runs once, in any order.
same shuf 'tool --shuf echo ::: 1 2 3 4 5 6 | sort
    tool -j1 --shuf echo {1}{2} ::: a b ::: 1 2 | sort'
# par_nice_locally: --nice N runs tasks N steps nicer (nice prints it).
same nice 'tool --nice 1 "PAR=a sh -c \"echo \\\$PAR {}\"" ::: b
    tool --nice 3 "nice; echo {}" ::: x'
# par_test_delimiter, par_z_--match: default options in $PARALLEL are
# pooltop's $POOLTOP (-d on ::: items: see below).
same env_options 'opts --load 300%; echo a:b:c | tool -k --load 300% -d : echo
    opts -k --tag; tool echo ::: a b; opts; tool -k echo ::: c'
# par_multiline_commands (--timeout 2s, shortened): a task past the limit
# is ended, fails and prints nothing; then --retry-failed reruns it.
same timeout 'tool -k --jl j.jl --timeout 1 "sleep {}; echo {}" ::: 0 0.1 5
    echo $?; tool -k --jl j.jl --retry-failed echo; echo $?'
# par_children_receive_sig: --termseq: the first signal of the sequence
# reaches the task (-u), which ends on it.
same termseq 'echo | tool --termseq INT,200,TERM,100,KILL,25 -u --timeout 1 \
    "trap \"echo got INT; exit 3\" INT; while :; do sleep 0.1; done"; echo $?'
# par_read_from_stdin (xargs mode), par_maxchar_s: --xargs fills
# commands up to -s.
same xargs 'seq 12 | tool -k --xargs -s 20 echo
    (echo a b; echo c) | tool -k --xargs echo'
# par_commandline_with_newline (without the newline): --resume-failed
# runs the failed tasks again and the new ones, --retry-failed the
# failed ones only.
same resume_failed 'tool -k --jl j.jl "echo {}; false {}" ::: a b
    tool -k --resume --jl j.jl "echo {}; false {}" ::: a b c
    tool -k --resume-failed --jl j.jl "echo {}; false {}" ::: a b c d
    tool -k --retry-failed --jl j.jl "echo {}; false {}" ::: a b c d e; echo $?'
# par_children_receive_sig, par_retries_unreachable (-u): output as it
# comes, stderr too; -j1 keeps it in order.
# (the joblog's Receive: see below).
same ungroup 'tool -j1 -u "echo {}; echo err {} >&2" ::: a b 2>&1
    tool -j1 --ungroup --jl u.jl echo ::: c; cut -f 1,2,5,7- u.jl; rm u.jl'
# bug #41613 (parallel-local-10s.sh): --line-buffer, output without a
# last newline; --group.
same line_buffer 'tool --line-buffer echo {} O ::: -n; echo
    tool -k --line-buffer --tag echo ::: a b
    tool -k --group "echo {}; echo {}" ::: c d'
# par_load_blocks: --load, --spreadstdin, --recend "\n".
same load_spreadstdin 'seq 1 1000 |
    tool -kj2 --load 300% --recend "\n" --spreadstdin gzip -1 | zcat | cksum'
# par_memfree (parallel-local-30s.sh), --noswap, --memsuspend: limits
# far from this machine's start the tasks.
same memory_limits 'tool -k --memfree 1k --noswap echo ::: a b
    tool -k --memsuspend 1k --delay 0.1 echo ::: e f'
# bug #42363 (parallel-local22.sh): --fifo and --cat, with --pipe (with
# --pipe-part: see below).
same pipe_fifo_cat 'seq 100 | tool --pipe --block 31 -k --fifo "cat {} | wc"
    seq 100 | tool --pipe --block 31 -k --cat "cat {} | wc"'
# par_roundrobin_k (smaller): --round-robin: every line reaches one task.
same round_robin 'seq 100000 | tool -j2 -k --round-robin --pipe --block 100k \
    "wc -l" | awk "{ s += \$1 } END { print s }"'
# par_halt_on_error (parallel-local-30s.sh, done=1), --halt success and
# N% variants.
same halt_variants 'tool -j1 --halt now,done=1 "echo {}; exit {}" ::: 3 0; echo $?
    tool -j1 --halt now,success=1 "echo {}; exit {}" ::: 1 0 2; echo $?
    tool -j1 --halt soon,fail=50% "echo {}; exit {}" ::: 0 1 2 0; echo $?
    tool -j1 --halt now,success=50% "echo {}; exit {}" ::: 0 2 0 3; echo $?'
# par_sshlogin (local): -S : runs on this machine.
same sshlogin_local 'tool -k -S : echo ::: a b; tool -k --sshlogin : echo ::: c'
# par_env (parallel-local-0.3s.sh's --env, locally): the variable
# reaches the task.
same env_var 'fu=bar; export fu; tool --env fu "echo \$fu {}" ::: x'
# par_skip_no_halt, par_skip_no_delay (--timeout 1000%, shortened): a
# task past N% of the median runtime is ended.
same timeout_percent 'tool -k -j1 --timeout 500% "sleep {}; echo {}" \
    ::: 0.1 0.1 0.1 0.1 10; echo $?'
# par_reload_slf_every_second (: for lo), par_fish_wd_trc and
# par_fish_wd_transfer (on this machine): --sshloginfile; --trc,
# --transferfile, --return, --basefile, --cleanup leave local files be.
same sshlogin_files 'echo : >slf; tool --slf slf -k echo ::: a b
    tool -S : --trc {}.out "wc -l <{} >{}.out" ::: ten; echo $?
    tool -S : --basefile xy --tf ten --return ten.r --cleanup \
    "cat {} >{}.r" ::: ten; echo $?; ls'
# par_maxargs: -n and --max-args with -m and -X; the other long names
# (--multiple-args and --context-replace are pooltop's only).
same long_names '(echo line 1; echo line 1; echo line 2) | tool -k -n2 -m echo
    (echo line 1; echo line 2; echo line 3) | tool -k --max-args=1 -X echo
    (echo line 1; echo line 1; echo line 2) | tool --keep-order \
    --max-replace-args 2 -m echo
    printf "a\0b\0" | tool -k -0 --lb echo'
# par__xargs_compat (-E, --eof): the end-of-file item, joined or not.
same eof_names '(echo include this; echo END; echo not this) |
    tool -k -EEND echo
    (echo include this; echo END; echo not this) | tool -k --eof=END echo
    (echo include this; echo END; echo not this) | tool -k --eof END echo'
# par_recend_not_regexp with --remove-rec-sep, --bf on this machine.
same long_names_pipe 'echo "a+b" | tool -k --pipe --remove-rec-sep \
    --recend "+" -N1 "cat;echo end"; tool -S : --bf xy cat ::: xy'
# --dry-run of a shell template, and with -X.
same dryrun 'tool --dry-run -k "echo {}; echo {.}" ::: a.b c
    tool --dry-run -j1 -k -X echo pre{}post ::: a b'

settle

# --- documented differences ----------------------------------------------
# run_pooltop NAME SNIPPET: only pooltop; output in NAME/pooltop.out.
run_pooltop() { one "$1" pooltop "$2"; }
# par_quote: GNU parallel's -q is a template of several words here.
run_pooltop quote 'tool -k perl -e "\$ARGV[0]=~/^\S+\s+\S+\$/ and print \$ARGV[0],\"\n\"" \
    ::: "a b" c "d e f" g "h i"'
one quote parallel 'tool -kq perl -e "\$ARGV[0]=~/^\S+\s+\S+\$/ and print \$ARGV[0],\"\n\"" \
    ::: "a b" c "d e f" g "h i"'
check "documented: several words are GNU parallel's -q" \
    cmp -s quote/parallel.out quote/pooltop.out
# par_negative_replacement: a value inside $((...)) is refused.
run_pooltop arith 'tool --colsep " " "echo \$(( {2} + {-1} ))" ::: "1 2 3 4"'
check "documented: {2} inside \$((...)) is refused, exit 255" \
    grep -q '^status 255$' arith/pooltop.out
# par_replacement_string_as_part_of_command: an item never becomes part
# of a command's name.
run_pooltop cmdname 'echo "s /bin/true" | tool l{}; echo $?'
check "documented: l{} with 's /bin/true' runs no ls" \
    grep -qx 1 cmdname/pooltop.out
# par_pipe_float_blocksize with wc: the block is a file on stdin.
run_pooltop wcfile 'seq 5 | tool --block 3.1 --pipe "wc -l"'
check "documented: --pipe: wc reads a file, counts unpadded" \
    [ "$(head -1 wcfile/pooltop.out)" = 1 ]
# par_pipe_record_size_in_lines, par_pipe_recend, par_pipepart_block:
# --pipe -L, an empty --recend, a negative --block are refused.
run_pooltop piperef 'seq 10 | tool -k --pipe -L 4 cat; echo $?
    seq 3 | tool -k --pipe --recend "" -n 1 cat; echo $?
    tool -j2 -k --block -1 --pipe-part -a ten cat; echo $?'
check "documented: --pipe -L, --recend '', --block -1 refused" \
    [ "$(grep -c '^255$' piperef/pooltop.out)" = 3 ]
# par_results_arg_256: the byte past 255 names one more level, where GNU
# parallel drops it.
run_pooltop res256 'a=$(printf "%0256d" 7); tool --results d echo ::: "$a"
    cat d/1/*/7/stdout'
check "documented: --results-layout gnu: a long item is nested, not cut" \
    grep -qx "$(printf '%0256d' 7)" res256/pooltop.out
# par_test_r_with_pipe: -r is refused with --pipe.
run_pooltop piper 'echo | tool -r -j2 -N1 --pipe cat; echo $?'
check "documented: -r with --pipe refused" grep -qx 255 piper/pooltop.out
# par_tagstring_with_d: a delimiter of two bytes is refused.
run_pooltop delim2 '(seq 3; echo; seq 4) | tool -k -d "\n\n" echo; echo $?'
check "documented: -d '\\n\\n' refused" grep -qx 255 delim2/pooltop.out
# par_pipepart_roundrobin: --round-robin is refused with --pipe-part.
run_pooltop piperr 'seq 10000 >f
    tool -j2 --pipepart -a f --block 14 --round-robin wc; echo $?'
check "documented: --pipe-part --round-robin refused" \
    grep -qx 255 piperr/pooltop.out
# par_test_delimiter: ::: items are taken whole, -d or not.
run_pooltop colon_d 'tool -k -d : echo ::: a:b:c'
check "documented: -d does not split ::: items" \
    grep -qx a:b:c colon_d/pooltop.out
# par_*ungroup*: with -u the joblog's Receive counts the bytes.
run_pooltop ujl 'tool -u --jl u.jl echo ::: c; cut -f 6 u.jl'
check "documented: -u: the joblog's Receive counts the bytes" \
    grep -qx 2 ujl/pooltop.out
# bug #42363: --pipe-part refuses --fifo and --cat.
run_pooltop ppfifo 'seq 100 >f; tool --pipepart -a f --fifo "cat {}"; echo $?
    tool --pipepart -a f --cat "cat {}"; echo $?'
check "documented: --pipe-part --fifo, --pipe-part --cat refused" \
    [ "$(grep -c '^255$' ppfifo/pooltop.out)" = 2 ]
# GNU parallel options pooltop lacks (par_eof_on_command_line_input_source,
# par_empty_string_command_line, par_delimiter, par_xapply, par_maxproc,
# par_i_t, par_verbose_t, par__arg_sep, par_rpl_that_is_substring...):
# refused, exit 255, naming what to use instead.
for o in "-I XX" --xapply --link -t --verbose "--arg-sep ,," --plus "--rpl {x}" \
    --progress --bar --will-cite "--dnr II"; do
	# shellcheck disable=SC2086
	"$POOLTOP_BIN" --headless -q $o echo ::: a >gnuonly.out 2>gnuonly.err
	_rc=$?
	if [ "$_rc" = 255 ] && grep -q "is GNU parallel's, not pooltop's" \
	    gnuonly.err && [ ! -s gnuonly.out ]; then
		ok "documented: $o refused, saying what to use"
	else
		fail "documented: $o refused, saying what to use (status $_rc:" \
		    "$(cat gnuonly.err))"
	fi
done

finish
