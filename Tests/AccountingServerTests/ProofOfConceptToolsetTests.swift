import Ledger
import MCP
import Testing

@testable import AccountingServer

@Suite("Proof-of-concept toolset over MCP")
struct ProofOfConceptToolsetTests {
    @Test("exactly the original six tools, text only")
    func listing() async throws {
        let harness = try await Harness.make(toolset: .poc)
        let tools = try await harness.tools()
        #expect(tools.map(\.name) == ["get_contacts", "get_invoices", "get_vouchers", "get_check_accounts", "get_transactions", "create_contact"])
        #expect(tools.allSatisfy { $0.outputSchema == nil })
        for tool in tools where tool.name != "create_contact" {
            #expect(int(tool.inputSchema, "properties", "limit", "default") == 10)
        }
    }

    @Test("answers in the bullet style with a default of ten")
    func bulletStyle() async throws {
        let harness = try await Harness.make(toolset: .poc)
        let contacts = try await harness.call("get_contacts", ["limit": 3])
        #expect(contacts.structuredContent == nil)
        #expect(contacts.text.hasPrefix("Contacts (showing 3):\n• "))
        #expect(contacts.text.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("• ") && $0.contains("(#10") })
        let invoices = try await harness.call("get_invoices")
        #expect(invoices.text.hasPrefix("Invoices (showing 10):"))
        #expect(invoices.text.contains("• RE-1119 - Autohaus Becker KG - 7.650,39 €"))
        for name in ["get_vouchers", "get_check_accounts", "get_transactions"] {
            let result = try await harness.call(name, ["limit": 2])
            #expect(!result.failed && result.text.contains("(showing 2):"), "\(name): \(result.text)")
        }
        let invalid = try await harness.call("get_invoices", ["limit": 0])
        #expect(invalid.failed && invalid.text.contains("limit must be between 1 and 200"))
        let unknown = try await harness.call("get_invoices", ["status": "open"])
        #expect(unknown.failed && unknown.text.contains("unknown argument 'status'; allowed: limit"))
    }

    @Test func createContact() async throws {
        let harness = try await Harness.make(toolset: .poc)
        let result = try await harness.call("create_contact", ["name": "Schulz IT", "email": "hallo@schulz-it.de"])
        #expect(result.text == "Contact created: Schulz IT (#1037)")
        #expect(try harness.store.contacts(named: "Schulz IT").first?.email == "hallo@schulz-it.de")
    }
}
