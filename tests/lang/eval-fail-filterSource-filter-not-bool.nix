builtins.filterSource (p: t: 1) ./store-paths
