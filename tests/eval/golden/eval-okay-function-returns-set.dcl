(x: { inherit x; }) 3
