"""Properties of course_utils.distributed (Hypothesis): the cluster of notebook 10."""

import json

from hypothesis import given
from hypothesis import strategies as st

from course_utils import setup

setup(seed=0)

from course_utils.distributed import tf_config  # noqa: E402


@given(st.lists(st.integers(1024, 65535), min_size=1, max_size=4, unique=True), st.data())
def test_tf_config_names_every_worker_on_loopback(ports, data):
    index = data.draw(st.integers(0, len(ports) - 1))
    config = json.loads(tf_config(ports, index))
    assert config["cluster"]["worker"] == [f"127.0.0.1:{p}" for p in ports]
    assert config["task"] == {"type": "worker", "index": index}
