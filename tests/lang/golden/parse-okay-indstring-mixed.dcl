''
      deep
    shallow

      blank above
''
