"""Settings package: ``base`` for every environment, ``test`` for the test run."""
