DROP TABLE IF EXISTS staging."loaded_files"
