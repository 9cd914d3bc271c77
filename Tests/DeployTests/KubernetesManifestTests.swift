import Foundation
import Testing
import Yams

/// Structural checks of deploy/k8s (no cluster here): kinds and names, selectors matching pod labels,
/// every mount backed by a volume, every claim/config/secret reference defined, no plaintext password.
@Suite struct KubernetesManifestTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/k8s")

    typealias Obj = [String: Any]

    static func load(_ file: String) throws -> [Obj] {
        let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? Obj }
    }

    static func kustomization() throws -> Obj { try load("kustomization.yaml")[0] }

    static func all() throws -> [Obj] {
        let resources = try #require(kustomization()["resources"] as? [String])
        return try resources.flatMap(load)
    }

    static func name(_ o: Obj) -> String { (o["metadata"] as? Obj)?["name"] as? String ?? "" }
    static func kind(_ o: Obj) -> String { o["kind"] as? String ?? "" }
    static func podSpec(_ o: Obj) -> Obj? {
        ((o["spec"] as? Obj)?["template"] as? Obj)?["spec"] as? Obj
    }
    static func podLabels(_ o: Obj) -> [String: String] {
        (((o["spec"] as? Obj)?["template"] as? Obj)?["metadata"] as? Obj)?["labels"] as? [String: String] ?? [:]
    }
    static func containers(_ o: Obj) -> [Obj] { podSpec(o)?["containers"] as? [Obj] ?? [] }

    @Test func everyYAMLFileIsListedAndTheExpectedObjectsExist() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path).filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }
        let listed = try #require(Self.kustomization()["resources"] as? [String])
        #expect(Set(files) == Set(listed))
        let objs = try Self.all()
        let have = Set(objs.map { "\(Self.kind($0))/\(Self.name($0))" })
        #expect(have == ["PersistentVolumeClaim/autolfads-storage", "ConfigMap/autolfads-config", "Service/autolfads-db",
                         "StatefulSet/autolfads-db", "Deployment/autolfads-server", "Job/autolfads-clients"])
        for o in objs { #expect(o["apiVersion"] is String, "apiVersion missing in \(Self.name(o))") }
    }

    @Test func selectorsMatchPodLabelsAndTheServiceFindsPostgres() throws {
        let objs = try Self.all()
        for o in objs where ["Deployment", "StatefulSet"].contains(Self.kind(o)) {
            let sel = try #require(((o["spec"] as? Obj)?["selector"] as? Obj)?["matchLabels"] as? [String: String])
            let labels = Self.podLabels(o)
            #expect(!sel.isEmpty)
            for (k, v) in sel { #expect(labels[k] == v, "\(Self.name(o)): selector \(k)=\(v) not in pod labels") }
        }
        let svc = try #require(objs.first { Self.kind($0) == "Service" })
        let sts = try #require(objs.first { Self.kind($0) == "StatefulSet" })
        let svcSel = try #require((svc["spec"] as? Obj)?["selector"] as? [String: String])
        for (k, v) in svcSel { #expect(Self.podLabels(sts)[k] == v) }
        #expect((sts["spec"] as? Obj)?["serviceName"] as? String == Self.name(svc))
        // Each component's pods are distinct: the Service selects postgres only.
        for o in objs where ["Deployment", "Job"].contains(Self.kind(o)) {
            #expect(!svcSel.allSatisfy { Self.podLabels(o)[$0.key] == $0.value }, "Service would also select \(Self.name(o))")
        }
        // Named target port exists on the container.
        let port = ((svc["spec"] as? Obj)?["ports"] as? [Obj])?.first?["targetPort"] as? String
        let names = Self.containers(sts).flatMap { ($0["ports"] as? [Obj] ?? []).compactMap { $0["name"] as? String } }
        #expect(port != nil && names.contains(port!))
    }

    @Test func volumesAreMountedAndReferencesResolve() throws {
        let objs = try Self.all()
        let pvcs = Set(objs.filter { Self.kind($0) == "PersistentVolumeClaim" }.map(Self.name))
        let maps = Set(objs.filter { Self.kind($0) == "ConfigMap" }.map(Self.name))
        let storage = try #require(objs.first { Self.name($0) == "autolfads-storage" })
        #expect(((storage["spec"] as? Obj)?["accessModes"] as? [String]) == ["ReadWriteMany"])
        for o in objs {
            guard let pod = Self.podSpec(o) else { continue }
            var volumes = Set((pod["volumes"] as? [Obj] ?? []).compactMap { $0["name"] as? String })
            for t in (o["spec"] as? Obj)?["volumeClaimTemplates"] as? [Obj] ?? [] { volumes.insert(Self.name(t)) }
            for v in pod["volumes"] as? [Obj] ?? [] {
                if let c = (v["persistentVolumeClaim"] as? Obj)?["claimName"] as? String { #expect(pvcs.contains(c)) }
                if let m = (v["configMap"] as? Obj)?["name"] as? String { #expect(maps.contains(m)) }
            }
            for c in Self.containers(o) {
                for m in c["volumeMounts"] as? [Obj] ?? [] {
                    #expect(volumes.contains(m["name"] as? String ?? ""), "\(Self.name(o)): mount \(m) has no volume")
                }
            }
        }
        // Server and clients share the storage claim at the same path.
        for n in ["autolfads-server", "autolfads-clients"] {
            let o = try #require(objs.first { Self.name($0) == n })
            let mounts = Self.containers(o).flatMap { $0["volumeMounts"] as? [Obj] ?? [] }
            #expect(mounts.contains { $0["name"] as? String == "storage" && $0["mountPath"] as? String == "/storage" })
            #expect((Self.podSpec(o)?["volumes"] as? [Obj] ?? []).contains {
                ($0["persistentVolumeClaim"] as? Obj)?["claimName"] as? String == "autolfads-storage" })
        }
    }

    @Test func passwordsComeOnlyFromTheGeneratedSecret() throws {
        let objs = try Self.all()
        #expect(!objs.contains { Self.kind($0) == "Secret" }, "a committed Secret would hold the password")
        let gen = try #require((Self.kustomization()["secretGenerator"] as? [Obj])?.first)
        let secretName = try #require(gen["name"] as? String)
        #expect((gen["files"] as? [String])?.allSatisfy { !$0.contains("literal") } == true)
        var refs = 0
        for o in objs {
            for c in Self.containers(o) {
                for e in c["env"] as? [Obj] ?? [] {
                    let n = e["name"] as? String ?? ""
                    if n.uppercased().contains("PASSWORD") {
                        #expect(e["value"] == nil, "\(Self.name(o)): \(n) has a plaintext value")
                        let ref = ((e["valueFrom"] as? Obj)?["secretKeyRef"] as? Obj)
                        #expect(ref?["name"] as? String == secretName && ref?["key"] as? String == "password")
                        refs += 1
                    }
                }
                let args = (c["args"] as? [Any] ?? []).map { "\($0)" }
                for a in args where a.hasPrefix("postgres://") {
                    #expect(!a.dropFirst(11).prefix { $0 != "@" }.contains(":"), "password inside a store URL")
                }
            }
        }
        #expect(refs == 3)   // postgres, server, clients
        let text = try String(contentsOf: Self.dir.appendingPathComponent("config.yaml"), encoding: .utf8)
        #expect(!text.lowercased().contains("password"))
    }

    @Test func serverAndClientsUseTheImageAndTheDatabaseService() throws {
        let objs = try Self.all()
        let server = try #require(objs.first { Self.name($0) == "autolfads-server" })
        let clients = try #require(objs.first { Self.name($0) == "autolfads-clients" })
        #expect((server["spec"] as? Obj)?["replicas"] as? Int == 1)
        let sc = try #require(Self.containers(server).first), cc = try #require(Self.containers(clients).first)
        #expect(sc["image"] as? String == "autolfads" && cc["image"] as? String == "autolfads")
        #expect((sc["args"] as? [String])?.first == "server")
        let cargs = try #require(cc["args"] as? [String])
        #expect(cargs.first == "client")
        let store = try #require(cargs.firstIndex(of: "--store").map { cargs[$0 + 1] })
        #expect(store.contains("@autolfads-db:5432/"))
        let cfg = try #require(objs.first { Self.kind($0) == "ConfigMap" })
        let runYAML = try #require((cfg["data"] as? [String: String])?["run.yaml"])
        let run = try #require(try Yams.load(yaml: runYAML) as? Obj)
        #expect(run["store"] as? String == store)
        #expect(run["storage"] as? String == "/storage")
        #expect(cargs.firstIndex(of: "--run").map { cargs[$0 + 1] } == run["name"] as? String)
        let slots = try #require(cargs.firstIndex(of: "--slots").map { cargs[$0 + 1] })
        let cpu = ((cc["resources"] as? Obj)?["requests"] as? Obj)?["cpu"] as? String
        #expect(cpu == slots, "client CPU request should equal its slots")
    }
}
