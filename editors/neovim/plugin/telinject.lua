-- Loaded by Neovim from the runtimepath. Nothing starts until require("telinject").setup{}.
if vim.g.loaded_telinject then return end
vim.g.loaded_telinject = true
