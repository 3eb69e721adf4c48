"""The mnist-keras dashboard: a Plotly Dash app that trains, watches and inspects runs.

    mnist-keras dashboard [--host 127.0.0.1] [--port 8050] [--runs-dir runs]
"""

