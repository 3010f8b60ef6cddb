"""pttutor.datasets: loaders for the course's data sets, sharing one data-folder convention."""

from pttutor.datasets.folder import ENV_VAR, DataError, Source, data_dir, locate

__all__ = ["ENV_VAR", "DataError", "Source", "data_dir", "locate"]
