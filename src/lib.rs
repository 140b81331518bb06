//! voxgate library.
