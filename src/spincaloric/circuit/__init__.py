"""The circuit: contacts and their kinds (F|N, N|N, F|I|F junctions, tabulated spectra), the
device builder and the finalized circuit, its Kirchhoff system, and solutions."""
