"""pytest configuration shared by the unit tests and nbval."""


def pytest_collectstart(collector):
    """Do not compare stderr: TensorFlow and absl write start-up lines there."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
