"""Training-data analysis: will a provider accept this file, what will it cost, what is wrong with it."""
