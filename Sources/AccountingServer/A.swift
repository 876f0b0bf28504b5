import MCP
import Hummingbird
import Ledger
public enum ASPlaceholder {}
