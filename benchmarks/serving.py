"""Serving 100,000 products: memory and time of exact and approximate top-k, side by side.

The setting of notebooks/08_scaling_and_serving.py: a dot-product two-tower trained on a
sparse world, 200 new customers, 100,000 unseen products. Compared in one run:

- memory (tracemalloc's peak, NumPy allocations): top-k of the whole score matrix against
  top-k a block of 10,000 or 1,000 products at a time;
- time (median of 5 runs): the whole matrix, blocks, faiss' exact flat index, and faiss'
  IVF index after the Euclidean transformation, at the smallest nprobe with recall >= 0.95.

Reported as ratios. The run fails if blocks do not use less memory than the whole matrix,
or if IVF at recall >= 0.95 is not faster than exact search by blocks.
"""

import numpy as np

from benchmarks.timing import median_seconds, peak_megabytes
from course_utils import setup

N_CUSTOMERS = 200
CATALOGUE_SIZE = 100_000
BLOCK_SIZE = 10_000
K = 10
N_LISTS = 256
REPEATS = 5  # timed runs each; the whole matrix takes a fifth of a second a run


def trained_vectors():
    """Customer and product vectors from the notebook's two-tower (fewer epochs)."""
    from course_utils.data import make_world, sample_pairs, truncated_normal_features
    from course_utils.models import DotTwoTower, build_tower

    world = make_world(n_customers=2000, n_products=2000, seed=0)
    rated = sample_pairs(world.customer_features, world.product_features, world.ratings, 40)
    model = DotTwoTower(build_tower(5, (32,), 16), build_tower(10, (32,), 16))
    model.compile(loss="mse", optimizer="adam")
    model.fit(rated.tower_inputs, rated.y, epochs=10, batch_size=256, verbose=0)
    rng = np.random.default_rng(1)
    customers = model.embed_customers(truncated_normal_features(N_CUSTOMERS, 5, rng))
    products = model.embed_products(truncated_normal_features(CATALOGUE_SIZE, 10, rng))
    return customers, products


def main() -> int:
    setup(seed=0)
    import faiss

    from course_utils.metrics import overlap_at_k
    from course_utils.recommend import top_k
    from course_utils.serving import inner_product_to_euclidean, top_k_dot

    customers, products = trained_vectors()
    exact = top_k(customers @ products.T, K)

    print(f"Top {K} for {N_CUSTOMERS} customers over {CATALOGUE_SIZE:,} products")
    whole = peak_megabytes(lambda: top_k(customers @ products.T, K))
    print(f"peak memory: whole matrix {whole:.0f} MB")
    memory_ratios = []
    for block_size in (BLOCK_SIZE, BLOCK_SIZE // 10):
        blocks = peak_megabytes(lambda b=block_size: top_k_dot(customers, products, K, b))
        memory_ratios.append(whole / blocks)
        print(f"  blocks of {block_size:>6,}: {blocks:4.0f} MB, {whole / blocks:5.1f}x less")

    flat = faiss.IndexFlatIP(products.shape[1])
    flat.add(products.astype("float32"))
    products_plus, customers_plus = inner_product_to_euclidean(products, customers)
    ivf = faiss.IndexIVFFlat(
        faiss.IndexFlatL2(products_plus.shape[1]), products_plus.shape[1], N_LISTS
    )
    ivf.train(products_plus)
    ivf.add(products_plus)
    for nprobe in (1, 2, 4, 8, 16, 32, 64):
        ivf.nprobe = nprobe
        recall = overlap_at_k(ivf.search(customers_plus, K)[1], exact)
        if recall >= 0.95:
            break
    assert np.mean(flat.search(customers.astype("float32"), K)[1] == exact) > 0.99

    queries = customers.astype("float32")
    times = {
        "whole matrix (NumPy)": median_seconds(lambda: top_k(customers @ products.T, K), REPEATS),
        "blocks (NumPy)": median_seconds(
            lambda: top_k_dot(customers, products, K, BLOCK_SIZE), REPEATS
        ),
        "faiss flat (exact)": median_seconds(lambda: flat.search(queries, K), REPEATS),
        f"faiss IVF, nprobe {nprobe}": median_seconds(
            lambda: ivf.search(customers_plus, K), REPEATS
        ),
    }
    print(f"time (median of 5), relative to blocks; IVF recall@{K} {recall:.2f}")
    base = times["blocks (NumPy)"]
    for name, seconds in times.items():
        print(f"  {name:>24}: {seconds * 1e3:8.1f} ms  {base / seconds:6.1f}x as fast")
    ivf_ratio = base / times[f"faiss IVF, nprobe {nprobe}"]
    memory_ok = min(memory_ratios) > 1
    print(f"blocks use less memory than the whole matrix: {'yes' if memory_ok else 'NO'}")
    print(f"IVF at recall >= 0.95 faster than exact blocks: {'yes' if ivf_ratio > 1 else 'NO'}")
    return 0 if memory_ok and ivf_ratio > 1 and recall >= 0.95 else 1
