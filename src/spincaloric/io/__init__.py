"""Files: the device-file format (schema, reader, keys and their units), result datasets
(netCDF/zarr) and figures."""

from .devicefile import (
    DEFAULT_UNTIL,
    MAX_NESTING,
    DeviceSpec,
    Prepared,
    UnreadableFileError,
    dataset_output,
    device_from_dict,
    file_path,
    load_dataset,
    load_device,
    load_spec,
    prepare,
    read_toml,
    save_dataset,
    solution_record,
    spec_from_dict,
    validate_spec,
    with_absolute_files,
)

__all__ = ["DEFAULT_UNTIL", "MAX_NESTING", "DeviceSpec", "Prepared", "UnreadableFileError",
           "dataset_output", "device_from_dict", "file_path", "load_dataset", "load_device",
           "load_spec", "prepare", "read_toml", "save_dataset", "solution_record",
           "spec_from_dict", "validate_spec", "with_absolute_files"]
