import ArgumentParser
import Config
import AccountingServer
@main struct M { static func main() {} }
