" .rubric files: code-review criteria read by rubric-lsp.
autocmd BufRead,BufNewFile *.rubric setfiletype rubric
