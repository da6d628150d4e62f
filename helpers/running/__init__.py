"""Running the notebooks unattended: the up-front parameter checks (`params`), the one `--out`
rule (`outdir`), the environment variables the project sets (`environment`) and the papermill
runner (`runner`). Called by the command line (`python -m helpers`) and the tests; the notebooks
call only `helpers.check_parameters`.
"""
