"""Speed and memory benchmarks of the engine, and the per-agent reference model
they (and the tests) compare it against.
"""
