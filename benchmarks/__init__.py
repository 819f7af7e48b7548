"""Engine speed and memory benchmarks, and the per-agent reference model."""
