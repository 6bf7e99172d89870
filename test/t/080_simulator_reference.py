#!/usr/bin/python3
"""Independent pure-Python reference for test/t/080_simulator_reference.pl.

Usage: 080_simulator_reference.py ROWS.csv > summary.json

ROWS.csv is a `COPY (...) TO ... (FORMAT csv)` of, per row:
  call, n, shows, images_per_show, dim, seed, row_limit,
  impression_id, user_id, show_id, day, hour, context, candidates, image_id,
  propensity, played, minutes, play_probabilities
ordered by (call, impression_id); arrays are PostgreSQL array text and floats
are shortest round-trip text (extra_float_digits = 1), so every double is read
back exactly.  row_limit is empty when the call was not limited.

simulate_impressions (src/simulate.c, src/core/simulator.c) is written out
again from its definition, with only the standard library: SplitMix64's
mixer and the three-fold nested draw u(kind, id, k) in 64-bit wraparound
arithmetic, MurmurHash3_x86_32 and scikit-learn's signed feature hashing,
the context layout, the play probability sigmoid(...) with math.exp, the
uniform logging choice by cumulative probabilities (policy_pick in
src/core/policy.c), played and minutes (math.log1p).  Every column of every
row is compared: integers, booleans, the context and the uniform propensity
1/K exactly; minutes and play probabilities to 1e-12 relative.  Missing,
extra or out-of-order rows are mismatches too.

Prints one JSON object: rows, expected_rows, per-column mismatch counts,
the first mismatches, the largest relative errors and how many float values
were bit-identical.
"""
import csv
import json
import math
import sys

MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1
GOLDEN = 0x9E3779B97F4A7C15
STEP_K = 0xD1B54A32D192ED03
WORLD_SEED = 0x61727462616E6469  # "artbandi"
KIND_USER, KIND_SHOW, KIND_IMAGE, KIND_IMPRESSION = 1, 2, 3, 4
STREAM_LOGGING, STREAM_PLAYED, STREAM_MINUTES = 10, 11, 12  # k = 10 + stream
GENRES = ["drama", "comedy", "anime", "documentary", "thriller", "romance", "kids", "scifi"]
COUNTRIES = [("BR", "pt"), ("US", "en"), ("JP", "ja"), ("FR", "fr"),
             ("DE", "de"), ("IN", "hi"), ("MX", "es"), ("KR", "ko")]
DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SIM_DAYS = 30
TWO_POW_M53 = 1.0 / 9007199254740992.0
REL_TOL = 1e-12


# ---- SplitMix64 and the draws -------------------------------------------------

def mix64(z):
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def draw(seed, kind, ident, k):
    """u(kind, id, k) in [0, 1): 53 bits of three nested mixes."""
    base = (seed & MASK64) if kind == KIND_IMPRESSION else WORLD_SEED
    z = mix64(base ^ ((kind << 56) & MASK64))
    z = mix64(z + ((ident & MASK64) * GOLDEN & MASK64))
    z = mix64(z + (((k + 1) & MASK64) * STEP_K & MASK64))
    return float(z >> 11) * TWO_POW_M53


def pick(seed, kind, ident, k, n):
    v = int(n * draw(seed, kind, ident, k))  # C: (int) truncation
    return v if v < n else n - 1


# ---- MurmurHash3_x86_32 and signed feature hashing -------------------------------

def rotl32(x, r):
    return ((x << r) | (x >> (32 - r))) & MASK32


def murmur3_x86_32(data, seed=0):
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & MASK32
    nblocks = len(data) // 4
    for i in range(nblocks):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (k * c1) & MASK32
        k = rotl32(k, 15)
        k = (k * c2) & MASK32
        h ^= k
        h = rotl32(h, 13)
        h = (h * 5 + 0xE6546B64) & MASK32
    tail = data[4 * nblocks:]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * c1) & MASK32
        k = rotl32(k, 15)
        k = (k * c2) & MASK32
        h ^= k
    h ^= len(data) & MASK32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK32
    h ^= h >> 16
    return h


def hash_add(x, offset, dim, token):
    """scikit-learn FeatureHasher(alternate_sign=True) of one token into
    x[offset .. offset + dim - 1]; returns the bucket."""
    u = murmur3_x86_32(token.encode("utf-8"), 0)
    h = u - (1 << 32) if u >= (1 << 31) else u  # signed int32
    index = abs(h) % dim  # |INT32_MIN| = 2^31, exactly as Python's abs
    x[offset + index] += -1.0 if h < 0 else 1.0
    return index


def self_check():
    # Published MurmurHash3_x86_32 vectors (SMHasher / common test suites).
    vectors = [(b"", 0, 0), (b"", 1, 0x514E28B7), (b"", 0xFFFFFFFF, 0x81F16F39),
               (b"\0\0\0\0", 0, 0x2362F9DE), (b"aaaa", 0x9747B28C, 0x5A97808A),
               (b"Hello, world!", 0x9747B28C, 0x24884CBA),
               (b"The quick brown fox jumps over the lazy dog", 0x9747B28C, 0x2FA826CD)]
    for data, seed, want in vectors:
        got = murmur3_x86_32(data, seed)
        assert got == want, "murmur3(%r, %#x) = %#x, want %#x" % (data, seed, got, want)
    # SplitMix64 from state 0: the first outputs of the reference generator.
    outs, state = [], 0
    for _ in range(3):
        state = (state + GOLDEN) & MASK64
        outs.append(mix64(state))
    assert outs == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F], \
        [hex(o) for o in outs]


# ---- the simulator ------------------------------------------------------------

class World:
    """Draws of the world (users, shows, images) are seed-independent: memoised."""

    def __init__(self):
        self.cache = {}

    def u(self, kind, ident, k):
        key = (kind, ident, k)
        v = self.cache.get(key)
        if v is None:
            v = self.cache[key] = draw(0, kind, ident, k)
        return v

    def pick(self, kind, ident, k, n):
        v = int(n * self.u(kind, ident, k))
        return v if v < n else n - 1

    def favourites(self, user):
        fav1 = self.pick(KIND_USER, user, 0, 8)
        fav2 = (fav1 + 1 + self.pick(KIND_USER, user, 1, 7)) % 8
        return fav1, fav2

    def taste(self, user, genre):
        fav1, fav2 = self.favourites(user)
        return 1.0 if genre == fav1 else 0.7 if genre == fav2 else -0.4


WORLD = World()


def time_of_day(hour):
    if hour < 6:
        return "night"
    if hour < 12:
        return "morning"
    if hour < 18:
        return "afternoon"
    return "evening"


def policy_pick(probs, u):
    cum, last = 0.0, 0
    for i, p in enumerate(probs):
        if p <= 0.0:
            continue
        last = i
        cum += p
        if u < cum:
            return i
    return last


def impression(cfg, i):
    n, shows, images, dim, seed = cfg
    users = 100000  # SIM_USERS: a fixed population
    imp = {"impression_id": i}
    v = draw(seed, KIND_IMPRESSION, i, 1)
    user = int(users * draw(seed, KIND_IMPRESSION, i, 0))  # (int64) (users * u)
    imp["user_id"] = user = min(user, users - 1)
    s = 1 + int(shows * v * v)  # (shows * v) * v, as C associates it
    imp["show_id"] = show = min(s, shows)
    day = 1 + int(float(i - 1) * SIM_DAYS / float(n if n > 0 else 1))
    imp["day"] = day = min(day, SIM_DAYS)
    imp["hour"] = hour = pick(seed, KIND_IMPRESSION, i, 2, 24)

    # context: 1, hour / 24, weekend, then hashed tokens into dim - 3 values
    fav1, fav2 = WORLD.favourites(user)
    country = WORLD.pick(KIND_USER, user, 2, 8)
    dow = (day - 1) % 7
    x = [0.0] * dim
    x[0] = 1.0
    x[1] = hour / 24.0
    x[2] = 1.0 if dow >= 5 else 0.0
    buckets = set()
    for token in ("genre=" + GENRES[fav1], "genre=" + GENRES[fav2],
                  "country=" + COUNTRIES[country][0], "lang=" + COUNTRIES[country][1],
                  "dow=" + DAY_NAMES[dow], "tod=" + time_of_day(hour)):
        buckets.add(hash_add(x, 3, dim - 3, token))
    imp["context"] = x
    imp["collided"] = len(buckets) < 6  # six distinct tokens, fewer buckets

    show_genre = WORLD.pick(KIND_SHOW, show, 0, 8)
    show_appeal = -2.2 + 0.6 * WORLD.u(KIND_SHOW, show, 1)
    evening = hour >= 18
    cands, truth = [], []
    for j in range(images):
        image = show * 1000 + j + 1
        genre = show_genre if j == 0 else WORLD.pick(KIND_IMAGE, image, 0, 8)
        logit = (show_appeal + 0.4 * (WORLD.u(KIND_IMAGE, image, 1) - 0.5)
                 + 1.3 * WORLD.taste(user, genre) + (0.25 if evening else 0.0))
        cands.append(image)
        truth.append(1.0 / (1.0 + math.exp(-logit)))
    imp["candidates"] = cands
    imp["play_probabilities"] = truth

    # uniform logging, then the play and the minutes
    probs = [1.0 / images] * images
    chosen = policy_pick(probs, draw(seed, KIND_IMPRESSION, i, STREAM_LOGGING))
    imp["image_id"] = cands[chosen]
    imp["propensity"] = probs[chosen]
    imp["played"] = played = draw(seed, KIND_IMPRESSION, i, STREAM_PLAYED) < truth[chosen]
    if played:
        u = draw(seed, KIND_IMPRESSION, i, STREAM_MINUTES)
        typical = 20.0 + 40.0 * WORLD.u(KIND_SHOW, show, 2)
        m = -typical * math.log1p(-u)
        imp["minutes"] = 1.0 if m < 1.0 else 240.0 if m > 240.0 else m
    else:
        imp["minutes"] = 0.0
    return imp


# ---- comparison ---------------------------------------------------------------

INT_COLS = ["impression_id", "user_id", "show_id", "day", "hour", "image_id"]
COLUMNS = INT_COLS + ["context", "candidates", "propensity", "played", "minutes",
                      "play_probabilities"]


def parse_array(text, conv):
    assert text.startswith("{") and text.endswith("}"), text
    body = text[1:-1]
    return [conv(v) for v in body.split(",")] if body else []


def rel_err(got, want):
    """|got - want| / |want|, or |got - want| when want is 0 (so an expected 0
    must be matched to 1e-12 absolute); NaN compares as an error of 1e300."""
    if got == want:
        return 0.0
    scale = abs(want)
    e = abs(got - want) / scale if scale > 0 else abs(got - want)
    return e if math.isfinite(e) else 1e300


def main():
    self_check()
    summary = {"rows": 0, "expected_rows": 0, "calls": 0,
               "mismatch_count": {c: 0 for c in COLUMNS + ["rows"]},
               "mismatches": [], "max_rel": {"minutes": 0.0, "play_probabilities": 0.0},
               "bit_identical": {"minutes": [0, 0], "play_probabilities": [0, 0]},
               "collisions": 0, "played": 0}
    calls = {}

    def bad(col, msg):
        summary["mismatch_count"][col] += 1
        if len(summary["mismatches"]) < 25:
            summary["mismatches"].append(msg)

    with open(sys.argv[1], newline="") as f:
        for rec in csv.reader(f):
            (call, n, shows, images, dim, seed, limit, imp_id, user_id, show_id, day, hour,
             context, candidates, image_id, propensity, played, minutes, probs) = rec
            cfg = (int(n), int(shows), int(images), int(dim), int(seed))
            state = calls.setdefault(call, {"cfg": cfg, "limit": limit, "next": 1})
            summary["rows"] += 1
            i = state["next"]
            state["next"] += 1
            if int(imp_id) != i:
                bad("rows", "call %s: row %d has impression_id %s" % (call, i, imp_id))
            want = impression(cfg, i)
            where = "call %s %s, impression %d" % (call, cfg, i)
            got = {"impression_id": imp_id, "user_id": user_id, "show_id": show_id,
                   "day": day, "hour": hour, "image_id": image_id}
            for col in INT_COLS:
                if int(got[col]) != want[col]:
                    bad(col, "%s: %s = %s, reference %s" % (where, col, got[col], want[col]))
            ctx = parse_array(context, float)
            if ctx != want["context"]:
                bad("context", "%s: context %s, reference %s" % (where, context, want["context"]))
            summary["collisions"] += want["collided"]
            cands = parse_array(candidates, int)
            if cands != want["candidates"]:
                bad("candidates", "%s: candidates %s, reference %s"
                    % (where, candidates, want["candidates"]))
            if float(propensity) != want["propensity"] or want["propensity"] != 1.0 / cfg[2]:
                bad("propensity", "%s: propensity %s, reference %r"
                    % (where, propensity, want["propensity"]))
            p = {"t": True, "f": False}.get(played)
            if p is not want["played"]:
                bad("played", "%s: played %s, reference %s" % (where, played, want["played"]))
            summary["played"] += want["played"]
            m = float(minutes)
            e = rel_err(m, want["minutes"])
            summary["max_rel"]["minutes"] = max(summary["max_rel"]["minutes"], e)
            summary["bit_identical"]["minutes"][0] += m == want["minutes"]
            summary["bit_identical"]["minutes"][1] += 1
            if not e <= REL_TOL:
                bad("minutes", "%s: minutes %s, reference %r" % (where, minutes, want["minutes"]))
            pr = parse_array(probs, float)
            ok = len(pr) == len(want["play_probabilities"])
            for a, b in zip(pr, want["play_probabilities"]):
                e = rel_err(a, b)
                summary["max_rel"]["play_probabilities"] = max(
                    summary["max_rel"]["play_probabilities"], e)
                summary["bit_identical"]["play_probabilities"][0] += a == b
                summary["bit_identical"]["play_probabilities"][1] += 1
                ok = ok and e <= REL_TOL
            if not ok:
                bad("play_probabilities", "%s: play_probabilities %s, reference %r"
                    % (where, probs, want["play_probabilities"]))

    for call, state in sorted(calls.items()):
        n = state["cfg"][0]
        expected = min(n, int(state["limit"])) if state["limit"] != "" else n
        summary["expected_rows"] += expected
        if state["next"] - 1 != expected:
            bad("rows", "call %s %s: %d rows, expected %d"
                % (call, state["cfg"], state["next"] - 1, expected))
    summary["calls"] = len(calls)
    json.dump(summary, sys.stdout, indent=1, sort_keys=True, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
