"""What a run produces: the layout tables (`layouts`, `baseline`, `declared`), metrics (`metrics`), the results
folder written whole (`staging`, `tables`) and read back (`folder`), and two folders compared (`compare`)."""
