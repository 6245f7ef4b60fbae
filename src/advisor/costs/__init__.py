"""Cost arithmetic: exact money, training cost, the monthly estimate and its inputs."""
