"""Who hears a story: the audience of one story-telling occasion.

A customer who talks about a purchase tells a number of people drawn from a
heavy-tailed distribution (TARP 1986, "Consumer complaint handling in
America": a dissatisfied customer tells 9-10 people on average and about 13%
tell more than 20), first their own ties and then, beyond them, people
outside their ties picked at random from the whole market: acquaintances met
once, readers of an online review (Granovetter 1973, "The strength of weak
ties"; Chevalier & Mayzlin 2006, "The effect of word of mouth on sales:
online book reviews").

These are the pure rules of one talker, shared by the engine
(:mod:`sim.phases.word_of_mouth`, which calls them from its compiled loop
over the talkers) and the per-agent reference (``benchmarks/reference.py``). The
randomness is two uniform draws per customer and visit round, one for the
size of the audience and one pair that seeds the choice of people
(:func:`audience_key`): the strangers are a hash of that key and a counter,
so their number may vary from talker to talker while every stream draws the
same fixed shape every step (common random numbers), and the same seed
gives the same strangers.
"""

from __future__ import annotations

import numpy as np

from agents.compiled import Real, inlined

#: the multiplier of the splitmix64 counter (2**64 / golden ratio): part of the hash, not a parameter
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
#: bits of a float32 uniform draw (its mantissa): two of them make a key of 48 bits
_BITS = 24


@inlined
def audience_size(u: Real, mean: Real, dispersion: Real, cap: int) -> int:
    """People told on one occasion: 1 plus a negative binomial (a
    gamma-Poisson mixture, the count of a heavy-tailed rate) of mean
    ``mean - 1`` and shape ``dispersion`` (the smaller, the heavier the
    tail: a few talkers tell very many), by the inverse of its distribution
    function at the uniform draw ``u``; at least 1 (who talks tells
    someone), at most ``cap`` (everyone else in the market). float64."""
    m = mean - 1.0
    if m <= 0.0 or cap <= 1:
        return 1 if cap >= 1 else 0
    k = dispersion
    q = m / (k + m)  # the chance of one more
    p = np.exp(k * np.log1p(-q))  # P(0) = (k / (k + m)) ** k
    cdf = p
    x = 0
    while u >= cdf and x < cap - 1:
        p *= (x + k) / (x + 1.0) * q
        x += 1
        cdf += p
        if p <= 0.0:  # the tail is below float64's reach: the cap
            x = cap - 1
    return x + 1


@inlined
def audience_key(u_first: float, u_second: float) -> np.uint64:
    """The seed of one talker's choice of people, from two uniform float32
    draws (24 bits each: a key of 48 bits)."""
    scale = float(1 << _BITS)
    return np.uint64((np.uint64(u_first * scale) << np.uint64(_BITS)) | np.uint64(u_second * scale))


@inlined
def _mixed(key: np.uint64, counter: int) -> np.uint64:
    """The ``counter``-th number of the key's sequence: splitmix64 (Steele,
    Lea & Flood 2014, "Fast splittable pseudorandom number generators")."""
    z = np.uint64(key) + np.uint64(counter + 1) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@inlined
def fill_audience(talker: int, key: np.uint64, ties: np.ndarray, n: int, out: np.ndarray) -> None:
    """The people ``talker`` tells (``len(out)`` of them, at most ``n - 1``),
    into ``out``: their ties first, all of them if the audience is as large,
    else as many as it holds, from a place on the list the key picks;
    beyond them, people picked at random from the whole market (``n``
    customers), neither the talker, a tie nor anyone already told."""
    size, degree = len(out), len(ties)
    told = min(size, degree)
    start = np.int64(_mixed(key, 0) % np.uint64(degree)) if 0 < told < degree else np.int64(0)
    for d in range(told):
        out[d] = ties[(start + d) % degree]
    counter = 1
    for s in range(told, size):
        while True:
            j = np.int64(_mixed(key, counter) % np.uint64(n))
            counter += 1
            fresh = j != talker
            for d in range(degree):
                if ties[d] == j:
                    fresh = False
                    break
            if fresh:
                for r in range(degree, s):
                    if out[r] == j:
                        fresh = False
                        break
            if fresh:
                out[s] = j
                break


def log_unmoved_by_story(per_story: float, fit: float, taste: np.ndarray | float) -> np.ndarray:
    """The log of the chance that one positive story about a firm leaves a
    prospect unaware of it, for prospects of this ``taste`` for the firm
    (standard normal; float64): the story makes them aware with chance
    ``per_story * exp(fit * taste - fit ** 2 / 2)`` (at most 1), which
    averages ``per_story`` over prospects. A friend tells those the firm
    suits (referrers screen: Schmitt, Skiera & Van den Bulte 2011, "Referral
    programs and customer value", explain referred customers' higher value
    partly by a better match), so the customers stories bring fit the firm
    better than those advertising brings; ``fit`` 0 screens no one."""
    weight = np.exp(fit * np.asarray(taste, dtype=np.float64) - fit * fit / 2.0)
    return np.log1p(-np.minimum(per_story * weight, 1 - 1e-7))
