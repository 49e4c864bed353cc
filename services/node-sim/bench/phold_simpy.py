"""PHOLD in SimPy 3, the side-by-side peer of `numasim bench phold` (see phold-peer.mjs).

The same model as services/node-sim/src/bench/phold.ts: N LPs each start with P events; handling
one picks a uniformly random destination with probability `remote` (else the LP itself) and
schedules one new event lookahead + Exp(mean) later. Written in SimPy's fastest idiom, a timeout
with a callback (no generator process per message), so the comparison is against SimPy at its best.

Prints one JSON line: {"events", "wallSeconds", "eventsPerSecond", "simpy"}.
Run with Debian's interpreter: /usr/bin/python3 phold_simpy.py --lps 1024 ...
"""
import argparse
import json
import random
import time

import simpy


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lps", type=int, default=1024)
    ap.add_argument("--population", type=int, default=16)
    ap.add_argument("--end", type=float, default=1000.0, help="simulated end time, us")
    ap.add_argument("--remote", type=float, default=0.25)
    ap.add_argument("--lookahead", type=float, default=0.1, help="us")
    ap.add_argument("--mean", type=float, default=0.9, help="us")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    env = simpy.Environment()
    rng = random.Random(a.seed)
    rate = 1.0 / a.mean if a.mean > 0 else float("inf")
    events = 0
    handlers = []

    def make_handler(lp: int):
        def handle(_event) -> None:
            nonlocal events
            events += 1
            dst = rng.randrange(a.lps) if rng.random() < a.remote else lp
            delay = a.lookahead + (rng.expovariate(rate) if a.mean > 0 else 0.0)
            env.timeout(delay).callbacks.append(handlers[dst])

        return handle

    handlers.extend(make_handler(i) for i in range(a.lps))
    for lp in range(a.lps):
        for _ in range(a.population):
            delay = a.lookahead + (rng.expovariate(rate) if a.mean > 0 else 0.0)
            env.timeout(delay).callbacks.append(handlers[lp])

    start = time.perf_counter()
    env.run(until=a.end)
    wall = time.perf_counter() - start
    print(json.dumps({"events": events, "wallSeconds": wall, "eventsPerSecond": events / wall, "simpy": simpy.__version__}))


if __name__ == "__main__":
    main()
