"""What more than one panel uses: component ids, building blocks, help texts, figures shared
by several panels, images, limits, the runs folder's views, loaded models, jobs, lessons, the
training form's controls and the confusion cells.

Nothing here imports a panel (an import contract checks it).
"""
