"""Evaluation: the dataset, metrics, harness, variants and speed/memory benchmarks."""
