%% The Erlang/OTP peer of troupe's benchmark workloads (bench/README.md is the contract).
%%
%% Entry point: main([Workload | Values]), with Values the workload's positional arguments
%% as decimal strings (missing ones take the defaults below). run.sh parses the command line
%% and sets the scheduler count (`+S K:K`); `workers` in the result line is the number of
%% online schedulers.
%%
%% Every workload uses plain processes with receive loops, times exactly what the contract
%% says with erlang:monotonic_time/0, checks its result (a wrong count or sum prints a
%% message on stderr and halts with status 1), and only then prints its one result line.
-module(troupe_bench).

%% The supervised_restart workload's supervisor is this module (init/1), and its child is
%% started by sr_child_start/1.
-behaviour(supervisor).

-export([main/1]).
-export([init/1, sr_child_start/1]).

%% {Workload, usage line, default values}
-define(WORKLOADS, [
    {"pingpong", "[N=2000000]", [2000000]},
    {"ring", "[N=1000] [M=1000]", [1000, 1000]},
    {"skynet", "[L=1000000]", [1000000]},
    {"spawn", "[N=1000000]", [1000000]},
    {"fanin", "[P=8] [M=1000000]", [8, 1000000]},
    {"ask", "[N=200000]", [200000]},
    {"idle", "[N=1000000]", [1000000]},
    {"timers", "[N=1000000]", [1000000]},
    {"supervised_restart", "[N=10000]", [10000]},
    {"monitor", "[N=200000]", [200000]}
]).

main([Workload | Args]) ->
    case lists:keyfind(Workload, 1, ?WORKLOADS) of
        {_, Usage, Defaults} when length(Args) =< length(Defaults) ->
            case parse_values(Args) of
                {ok, Values} ->
                    Params = Values ++ lists:nthtail(length(Values), Defaults),
                    try
                        run(Workload, Params)
                    catch
                        Class:Reason:Stack ->
                            fail("~s: ~p:~p~n~p", [Workload, Class, Reason, Stack])
                    end,
                    halt(0);
                error ->
                    usage(Workload, Usage)
            end;
        {_, Usage, _} ->
            usage(Workload, Usage);
        false ->
            usage("<workload>", "[args...]")
    end;
main([]) ->
    usage("<workload>", "[args...]").

run("pingpong", [N]) -> pingpong(N);
run("ring", [N, M]) -> ring(N, M);
run("skynet", [L]) -> skynet(L);
run("spawn", [N]) -> spawn_bench(N);
run("fanin", [P, M]) -> fanin(P, M);
run("ask", [N]) -> ask(N);
run("idle", [N]) -> idle(N);
run("timers", [N]) -> timers(N);
run("supervised_restart", [N]) -> supervised_restart(N);
run("monitor", [N]) -> monitor_bench(N).

%% ---------------------------------------------------------------------------------------
%% pingpong: two processes bounce one ball until N messages have been delivered.
%% Timed: from sending the first ball to the delivery of the N-th.

pingpong(N) ->
    Main = self(),
    A = spawn(fun() -> player_init(Main) end),
    B = spawn(fun() -> player_init(Main) end),
    A ! {meet, B},
    B ! {meet, A},
    receive {met, A} -> ok end,
    receive {met, B} -> ok end,

    T0 = erlang:monotonic_time(),
    A ! {ball, N - 1},
    receive pingpong_done -> ok end,
    Elapsed = seconds_since(T0),

    % The first player receives ceil(N/2) balls, the second floor(N/2).
    GotA = count_of(A),
    GotB = count_of(B),
    check(GotA =:= (N + 1) div 2 andalso GotB =:= N div 2,
          "pingpong: wrong counts (a=~b, b=~b, n=~b)", [GotA, GotB, N]),
    result("pingpong n=~b workers=~b elapsed_s=~s msgs_per_s=~s",
           [N, workers(), g(Elapsed, 6), rate(N, Elapsed)]).

player_init(Main) ->
    receive
        {meet, Peer} ->
            Main ! {met, self()},
            player(Main, Peer, 0)
    end.

%% `Left` is how many messages are still to be sent after this one.
player(Main, Peer, Received) ->
    receive
        {ball, 0} ->
            Main ! pingpong_done,
            player(Main, Peer, Received + 1);
        {ball, Left} ->
            Peer ! {ball, Left - 1},
            player(Main, Peer, Received + 1);
        {count, From} ->
            From ! {count, self(), Received},
            player(Main, Peer, Received)
    end.

%% ---------------------------------------------------------------------------------------
%% ring: N processes in a ring, a token makes M rounds (N*M hops).
%% Timed: from sending the token to the first member until it has made N*M hops; the ring
%% is built and every member knows its successor before the clock starts.

ring(N, M) ->
    Hops = N * M,
    Main = self(),
    Members = [spawn(fun() -> member_init(Main, Hops) end) || _ <- lists:seq(1, N)],
    [First | Rest] = Members,
    lists:foreach(fun({Member, Next}) -> Member ! {next_is, Next} end,
                  lists:zip(Members, Rest ++ [First])),
    [receive {linked, Member} -> ok end || Member <- Members],

    T0 = erlang:monotonic_time(),
    First ! {token, 1},
    Counted = receive {ring_done, C} -> C end,
    Elapsed = seconds_since(T0),

    check(Counted =:= Hops, "ring: the token counted ~b hops, expected ~b", [Counted, Hops]),
    % Every member must have seen the token exactly M times.
    [Member ! {count, Main} || Member <- Members],
    lists:foreach(fun(Member) ->
                          Seen = receive {count, Member, S} -> S end,
                          check(Seen =:= M, "ring: a member saw the token ~b times, expected ~b",
                                [Seen, M])
                  end, Members),
    result("ring n=~b m=~b hops=~b workers=~b elapsed_s=~s hops_per_s=~s",
           [N, M, Hops, workers(), g(Elapsed, 6), rate(Hops, Elapsed)]).

member_init(Main, Total) ->
    receive
        {next_is, Next} ->
            Main ! {linked, self()},
            member(Main, Total, Next, 0)
    end.

%% The token carries its hop count, this delivery included.
member(Main, Total, Next, Seen) ->
    receive
        {token, Total} ->
            Main ! {ring_done, Total},
            member(Main, Total, Next, Seen + 1);
        {token, Hops} ->
            Next ! {token, Hops + 1},
            member(Main, Total, Next, Seen + 1);
        {count, From} ->
            From ! {count, self(), Seen},
            member(Main, Total, Next, Seen)
    end.

%% ---------------------------------------------------------------------------------------
%% skynet: each process spawns 10 children until the leaves, numbered 0..L-1, which reply
%% with their number; parents sum their children's replies.
%% Timed: from spawning the root to receiving its sum.

skynet(L) ->
    % The tree has fewer than L * 10/9 + 10 processes; a spawn failing deep in it would leave
    % this process waiting forever, so refuse a tree the process limit (+P) cannot hold.
    Limit = erlang:system_info(process_limit) - erlang:system_info(process_count),
    check(L * 10 div 9 + 10 =< Limit, "skynet: ~b leaves need more processes than the ~b left",
          [L, Limit]),
    Main = self(),
    T0 = erlang:monotonic_time(),
    spawn(fun() -> skynet_node(Main, 0, L) end),
    Sum = receive S when is_integer(S) -> S end,
    ElapsedMs = seconds_since(T0) * 1000,

    Expected = L * (L - 1) div 2,
    check(Sum =:= Expected, "skynet: sum ~b, expected ~b", [Sum, Expected]),
    result("skynet leaves=~b workers=~b sum=~b elapsed_ms=~s",
           [L, workers(), Sum, fixed(ElapsedMs, 1)]).

%% Covers the leaves Num..Num+Size-1. Powers of 10 split evenly (the classic tree); other
%% sizes split into up to 10 near-equal parts.
skynet_node(Parent, Num, 1) ->
    Parent ! Num;
skynet_node(Parent, Num, Size) ->
    K = min(10, Size),
    spawn_children(self(), Num, Size, 0, K),
    Parent ! sum_children(K, 0).

spawn_children(_Self, _Num, _Size, K, K) ->
    ok;
spawn_children(Self, Num, Size, I, K) ->
    From = Num + I * Size div K,
    To = Num + (I + 1) * Size div K,
    spawn(fun() -> skynet_node(Self, From, To - From) end),
    spawn_children(Self, Num, Size, I + 1, K).

sum_children(0, Sum) ->
    Sum;
sum_children(Left, Sum) ->
    receive S -> sum_children(Left - 1, Sum + S) end.

%% ---------------------------------------------------------------------------------------
%% spawn: N processes are spawned, each receives one message (its number) and reports it
%% to a collector, then exits.
%% Timed: from the first spawn until the collector has counted N reports.

spawn_bench(N) ->
    Main = self(),
    Collector = spawn(fun() -> collect_reports(N, 0, Main) end),
    T0 = erlang:monotonic_time(),
    spawn_handlers(N, Collector),
    Sum = receive {spawn_done, S} -> S end,
    Elapsed = seconds_since(T0),

    % Each process reported the number it was sent: 1..N.
    Expected = N * (N + 1) div 2,
    check(Sum =:= Expected, "spawn: reports sum to ~b, expected ~b", [Sum, Expected]),
    result("spawn n=~b workers=~b elapsed_s=~s actors_per_s=~s",
           [N, workers(), g(Elapsed, 6), rate(N, Elapsed)]).

spawn_handlers(0, _Collector) ->
    ok;
spawn_handlers(I, Collector) ->
    Pid = spawn(fun() -> receive Num -> Collector ! Num end end),
    Pid ! I,
    spawn_handlers(I - 1, Collector).

collect_reports(0, Sum, Main) ->
    Main ! {spawn_done, Sum};
collect_reports(Left, Sum, Main) ->
    receive Num -> collect_reports(Left - 1, Sum + Num, Main) end.

%% ---------------------------------------------------------------------------------------
%% fanin: P producers each send M messages (their number, 1..P) to one consumer.
%% Timed: from telling the producers to go until the consumer has counted P*M messages;
%% the consumer and the producers are spawned before the clock starts.

fanin(P, M) ->
    Main = self(),
    Msgs = P * M,
    Consumer = spawn(fun() -> consume(Msgs, 0, Main) end),
    Producers = [spawn(fun() -> receive go -> produce(M, K, Consumer) end end)
                 || K <- lists:seq(1, P)],

    T0 = erlang:monotonic_time(),
    [Producer ! go || Producer <- Producers],
    Sum = receive {fanin_done, S} -> S end,
    Elapsed = seconds_since(T0),

    Expected = M * P * (P + 1) div 2,
    check(Sum =:= Expected, "fanin: the consumer summed ~b, expected ~b", [Sum, Expected]),
    result("fanin p=~b m=~b msgs=~b workers=~b elapsed_s=~s msgs_per_s=~s",
           [P, M, Msgs, workers(), g(Elapsed, 6), rate(Msgs, Elapsed)]).

produce(0, _K, _Consumer) ->
    ok;
produce(Left, K, Consumer) ->
    Consumer ! K,
    produce(Left - 1, K, Consumer).

consume(0, Sum, Main) ->
    Main ! {fanin_done, Sum};
consume(Left, Sum, Main) ->
    receive K -> consume(Left - 1, Sum + K, Main) end.

%% ---------------------------------------------------------------------------------------
%% ask: this process asks a server N times in sequence, each a ref-tagged request and its
%% reply (the request/reply at the heart of gen_server:call, without the monitor).
%% Timed: all N round trips; mean_rtt_us = elapsed / N.

ask(N) ->
    Server = spawn(fun serve/0),
    T0 = erlang:monotonic_time(),
    ok = ask_loop(N, Server),
    Elapsed = seconds_since(T0),
    result("ask n=~b workers=~b elapsed_s=~s mean_rtt_us=~s",
           [N, workers(), g(Elapsed, 6), g(Elapsed * 1.0e6 / N, 4)]).

%% Asks with I and checks that the reply is I + 1.
ask_loop(0, _Server) ->
    ok;
ask_loop(I, Server) ->
    Ref = make_ref(),
    Server ! {ask, self(), Ref, I},
    Expected = I + 1,
    receive
        {Ref, Expected} -> ask_loop(I - 1, Server);
        {Ref, Other} -> fail("ask: asked ~b, got ~p, expected ~b", [I, Other, Expected])
    end.

serve() ->
    receive
        {ask, From, Ref, X} ->
            From ! {Ref, X + 1},
            serve()
    end.

%% ---------------------------------------------------------------------------------------
%% idle: nothing is timed. N processes are spawned and left waiting in receive; the growth
%% of this OS process's resident memory (/proc/<pid>/statm), divided by N, is the cost of
%% one idle process. This process collects its own garbage before both readings. Then the
%% VM is left alone for 1 s, and its CPU time (user + system, all threads) over the next
%% second of wall time is idle_cpu_pct, in % (up to 100 x cores).

idle(N) ->
    OsPid = os:getpid(),
    PageSize = getconf("PAGESIZE", 4096),
    ClockTicks = getconf("CLK_TCK", 100),
    Before = erlang:system_info(process_count),
    erlang:garbage_collect(),
    Rss0 = rss(OsPid, PageSize),

    spawn_idle(N),
    % Let every new process run to its receive before the second reading.
    wait_for_empty_run_queues(erlang:monotonic_time() + seconds_to_native(60)),
    Spawned = erlang:system_info(process_count) - Before,
    erlang:garbage_collect(),
    Rss1 = rss(OsPid, PageSize),
    check(Spawned =:= N, "idle: ~b processes alive, expected ~b", [Spawned, N]),

    receive after 1000 -> ok end,
    Cpu0 = cpu_seconds(OsPid, ClockTicks),
    T0 = erlang:monotonic_time(),
    receive after 1000 -> ok end,
    IdleCpuPct = 100 * (cpu_seconds(OsPid, ClockTicks) - Cpu0) / seconds_since(T0),

    Growth = Rss1 - Rss0,
    result("idle n=~b workers=~b rss_bytes=~b idle_cpu_pct=~s bytes_per_actor=~s",
           [N, workers(), Growth, fixed(IdleCpuPct, 2), fixed(Growth / N, 1)]).

spawn_idle(0) ->
    ok;
spawn_idle(Left) ->
    spawn(fun idle_wait/0),
    spawn_idle(Left - 1).

idle_wait() ->
    receive _ -> ok end.

wait_for_empty_run_queues(Deadline) ->
    case erlang:statistics(total_run_queue_lengths_all) of
        0 ->
            ok;
        _ ->
            case erlang:monotonic_time() < Deadline of
                true -> receive after 1 -> wait_for_empty_run_queues(Deadline) end;
                false -> ok
            end
    end.

%% A number from getconf(1), read before anything is measured.
getconf(Name, Default) ->
    case string:to_integer(os:cmd("getconf " ++ Name)) of
        {Value, _} when is_integer(Value), Value > 0 -> Value;
        _ -> Default
    end.

%% Resident set size in bytes: the second field of statm, in pages.
rss(OsPid, PageSize) ->
    {ok, Statm} = file:read_file("/proc/" ++ OsPid ++ "/statm"),
    [_Size, Resident | _] = binary:split(Statm, <<" ">>, [global]),
    binary_to_integer(Resident) * PageSize.

%% CPU time (user + system, all threads) used so far, in seconds: the sum of the threads'
%% run times in nanoseconds (first field of each task's schedstat), or, where the kernel
%% does not provide those, utime + stime of the process in clock ticks (its stat).
%% (erlang:statistics(runtime) counts user time only.)
cpu_seconds(OsPid, ClockTicks) ->
    Proc = "/proc/" ++ OsPid,
    try
        {ok, Tids} = file:list_dir(Proc ++ "/task"),
        lists:sum([first_integer(Proc ++ "/task/" ++ Tid ++ "/schedstat") || Tid <- Tids]) / 1.0e9
    catch
        error:_ ->
            {ok, Stat} = file:read_file(Proc ++ "/stat"),
            % After the command name, which ends at the last ")", come the fields from
            % the 3rd (state) on: utime and stime are the 14th and 15th.
            [_, Fields] = string:split(Stat, ")", trailing),
            [Utime, Stime] = lists:sublist(binary:split(Fields, <<" ">>, [global, trim_all]),
                                           12, 2),
            (binary_to_integer(Utime) + binary_to_integer(Stime)) / ClockTicks
    end.

first_integer(Path) ->
    {ok, Text} = file:read_file(Path),
    [First | _] = binary:split(Text, <<" ">>),
    binary_to_integer(First).

%% ---------------------------------------------------------------------------------------
%% timers: this process schedules N one-shot timers (erlang:send_after/3) with pseudo-random
%% delays in [0, 1000) ms from a fixed seed; each fires its number to a counter process.
%% Timed: from scheduling the first timer until the counter has received all N.
%%
%% The counter is a process apart so that it drains the fired timers while the scheduling
%% goes on: fired into the scheduling process itself, they would pile up in its mailbox
%% (hundreds of thousands before the loop ends), and every garbage collection of that process
%% would copy the whole pile into its heap, multiplying the time several times over.

timers(N) ->
    Main = self(),
    Counter = spawn(fun() -> count_fired(N, 0, Main) end),
    Seed = rand:seed_s(exsss, {16#74, 16#72, 16#70}),
    T0 = erlang:monotonic_time(),
    schedule_timers(N, Counter, Seed),
    Sum = receive {timers_done, S} -> S end,
    Elapsed = seconds_since(T0),

    % Each timer carried its number, 1..N.
    Expected = N * (N + 1) div 2,
    check(Sum =:= Expected, "timers: fired timers sum to ~b, expected ~b", [Sum, Expected]),
    result("timers n=~b workers=~b fired=~b elapsed_s=~s timers_per_s=~s",
           [N, workers(), N, g(Elapsed, 6), rate(N, Elapsed)]).

schedule_timers(0, _Counter, _Rand) ->
    ok;
schedule_timers(I, Counter, Rand0) ->
    {Delay, Rand} = rand:uniform_s(1000, Rand0),  % 1..1000
    erlang:send_after(Delay - 1, Counter, {fired, I}),
    schedule_timers(I - 1, Counter, Rand).

count_fired(0, Sum, Main) ->
    Main ! {timers_done, Sum};
count_fired(Left, Sum, Main) ->
    receive {fired, I} -> count_fired(Left - 1, Sum + I, Main) end.

%% ---------------------------------------------------------------------------------------
%% supervised_restart: a real supervisor (this module's init/1: one_for_one, one permanent
%% worker, intensity N+1 in 3600 s so that it never gives up) restarts its child N times.
%% The child, started by sr_child_start/1 (spawn_link, so linked to the supervisor), tells
%% this process (the driver) {started, Pid} and waits for `crash`, on which it exits with
%% reason `crash`; the supervisor sees the 'EXIT', starts a new child, which says started.
%% Timed: from the first `crash` until the N-th restarted child has said started; every
%% started message must come from a new process, and the supervisor must end with one child,
%% the last one started.
%%
%% OTP 25's supervisor keeps the times of the restarts in the period in a list, which it
%% walks (lists:takewhile/2, then length/1) on every restart: with every restart in the
%% period, the n-th restart costs O(n) and the whole run O(N^2), which dominates from a few
%% thousand restarts on (measured on 2 cores: ~74 k restarts/s for N=1000, ~9 k for 10000,
%% under 1 k for 100000).
%%
%% The supervisor reports every child's abnormal exit to logger (an error report); the
%% logger's level is set to none for this workload so that those reports, which the default
%% handler would print, are dropped cheaply (logger:allow/2 is checked before any report is
%% built) and the one result line stays the only output.

supervised_restart(N) ->
    ok = logger:set_primary_config(level, none),
    % Linked to the supervisor: if it ever gave up, its 'EXIT' ends the wait below.
    process_flag(trap_exit, true),
    {ok, Sup} = supervisor:start_link(?MODULE, {supervised_restart, self(), N}),
    First = sr_wait_started(Sup, none),

    T0 = erlang:monotonic_time(),
    {Restarts, Last} = sr_crash_loop(N, 0, First, Sup),
    Elapsed = seconds_since(T0),

    check(Restarts =:= N, "supervised_restart: ~b restarts, expected ~b", [Restarts, N]),
    case supervisor:which_children(Sup) of
        [{child, Last, worker, _}] ->
            ok;
        Children ->
            fail("supervised_restart: the supervisor's children are ~p, expected only ~p",
                 [Children, Last])
    end,
    result("supervised_restart n=~b workers=~b elapsed_s=~s restarts_per_s=~s",
           [N, workers(), g(Elapsed, 6), rate(N, Elapsed)]).

%% Crashes the current child and waits for the next, Left more times.
sr_crash_loop(0, Restarts, Child, _Sup) ->
    {Restarts, Child};
sr_crash_loop(Left, Restarts, Child, Sup) ->
    Child ! crash,
    Next = sr_wait_started(Sup, Child),
    sr_crash_loop(Left - 1, Restarts + 1, Next, Sup).

%% The next child's pid; it must not be Previous.
sr_wait_started(Sup, Previous) ->
    receive
        {started, Previous} ->
            fail("supervised_restart: ~p said started twice", [Previous]);
        {started, Pid} ->
            Pid;
        {'EXIT', Sup, Reason} ->
            fail("supervised_restart: the supervisor exited: ~p", [Reason])
    end.

%% The supervisor behaviour's callback.
init({supervised_restart, Driver, N}) ->
    Flags = #{strategy => one_for_one, intensity => N + 1, period => 3600},
    Child = #{id => child,
              start => {?MODULE, sr_child_start, [Driver]},
              restart => permanent,
              type => worker},
    {ok, {Flags, [Child]}}.

%% Called in the supervisor (so the link is to it).
sr_child_start(Driver) ->
    {ok, spawn_link(fun() -> sr_child(Driver) end)}.

sr_child(Driver) ->
    Driver ! {started, self()},
    receive
        crash -> exit(crash)
    end.

%% ---------------------------------------------------------------------------------------
%% monitor: N idle processes, each waiting for `stop`, are spawned (and have all reached
%% their receive) before the clock starts. Timed: this process, for each in sequence,
%% monitors it (erlang:monitor/2), sends it `stop` and waits for its 'DOWN' message, which
%% must carry that monitor's reference, that pid and the reason normal. downs_per_s is N /
%% elapsed.

monitor_bench(N) ->
    Targets = [spawn(fun monitor_target/0) || _ <- lists:seq(1, N)],
    wait_for_empty_run_queues(erlang:monotonic_time() + seconds_to_native(60)),

    T0 = erlang:monotonic_time(),
    Downs = watch(Targets, 0),
    Elapsed = seconds_since(T0),

    check(Downs =:= N, "monitor: ~b down messages, expected ~b", [Downs, N]),
    result("monitor n=~b workers=~b elapsed_s=~s downs_per_s=~s",
           [N, workers(), g(Elapsed, 6), rate(N, Elapsed)]).

monitor_target() ->
    receive
        stop -> ok
    end.

watch([], Downs) ->
    Downs;
watch([Pid | Rest], Downs) ->
    Ref = erlang:monitor(process, Pid),
    Pid ! stop,
    receive
        {'DOWN', Ref, process, Pid, normal} ->
            watch(Rest, Downs + 1);
        {'DOWN', Ref, process, Pid, Reason} ->
            fail("monitor: ~p went down with reason ~p, expected normal", [Pid, Reason])
    end.

%% ---------------------------------------------------------------------------------------
%% Shared helpers.

workers() ->
    erlang:system_info(schedulers_online).

seconds_since(T0) ->
    erlang:convert_time_unit(erlang:monotonic_time() - T0, native, nanosecond) / 1.0e9.

seconds_to_native(S) ->
    erlang:convert_time_unit(S, second, native).

count_of(Pid) ->
    Pid ! {count, self()},
    receive {count, Pid, Count} -> Count end.

check(true, _Format, _Args) -> ok;
check(false, Format, Args) -> fail(Format, Args).

fail(Format, Args) ->
    io:format(standard_error, Format ++ "~n", Args),
    halt(1).

%% Prints the result line: the runtime's name, then the workload's fields.
result(Format, Args) ->
    io:put_chars(["erlang ", io_lib:format(Format, Args), $\n]).

usage(Workload, Args) ->
    io:format(standard_error, "Usage: run.sh ~s ~s [workers=K]~n", [Workload, Args]),
    halt(2).

%% Positive decimal integers only.
parse_values(Args) ->
    IsDecimal = fun(A) -> A =/= [] andalso lists:all(fun(C) -> C >= $0 andalso C =< $9 end, A) end,
    case lists:all(IsDecimal, Args) of
        true ->
            Values = [list_to_integer(A) || A <- Args],
            case lists:all(fun(V) -> V > 0 end, Values) of
                true -> {ok, Values};
                false -> error
            end;
        false ->
            error
    end.

%% A rate, rounded to a whole number per second.
rate(Count, Seconds) ->
    integer_to_list(round(Count / Seconds)).

%% X with Digits decimals, like C's "%.<Digits>f".
fixed(X, Digits) ->
    float_to_list(float(X), [{decimals, Digits}]).

%% X with Digits significant digits and no trailing zeros, like C's "%.<Digits>g".
g(X, _Digits) when X == 0 ->
    "0";
g(X, Digits) ->
    E = exponent10(abs(X)),
    if
        E < -4; E >= Digits ->
            Mantissa = X / math:pow(10, E),
            Sign = if E < 0 -> "-"; true -> "+" end,
            Exp = integer_to_list(abs(E)),
            strip_point_zero(float_to_list(Mantissa, [{decimals, Digits - 1}, compact]))
                ++ "e" ++ Sign ++ [$0 || length(Exp) < 2] ++ Exp;
        true ->
            strip_point_zero(float_to_list(float(X), [{decimals, Digits - 1 - E}, compact]))
    end.

%% floor(log10(X)), corrected for rounding in log10.
exponent10(X) ->
    E = floor(math:log10(X)),
    Power = math:pow(10, E),
    if
        X >= 10 * Power -> E + 1;
        X < Power -> E - 1;
        true -> E
    end.

strip_point_zero(S) ->
    case lists:suffix(".0", S) of
        true -> lists:sublist(S, length(S) - 2);
        false -> S
    end.
