package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kind: Namespace} in scenario files: applying creates it, pods and Services live in it,
 * kubectl shows them with {@code -n} and {@code -A}, and deleting it deletes them.
 */
class ScenarioNamespaceTest {

  static final String SCENARIO =
      """
      name: namespaces
      seed: 7
      cluster: {nodes: 2, cni: bridge, services: iptables}
      steps:
        - at: 0s
          apply:
            - {apiVersion: v1, kind: Namespace, metadata: {name: prod}}
            - apiVersion: v1
              kind: Pod
              metadata: {name: web, namespace: prod, labels: {app: web}}
              spec:
                nodeName: node-2
                containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
            - apiVersion: v1
              kind: Service
              metadata: {name: front, namespace: prod}
              spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
            - {apiVersion: v1, kind: Pod, metadata: {name: client}, spec: {nodeName: node-1}}
        - at: 1s
          apply:
            - {apiVersion: v1, kind: Namespace, metadata: {name: prod}}
        - at: 2s
          kubectl: get pods -o wide
        - at: 2s
          kubectl: get pods -n prod
        - at: 2s
          kubectl: get pods -A -o wide
        - at: 2s
          kubectl: describe pod web -n prod
        - at: 3s
          curl: {from: client, to: "prod/front:80"}
        - at: 3s
          expect: {reachable: {from: client, to: prod/web}}
        - at: 3s
          exec: {node: node-1, command: iptables-save}
        - at: 4s
          delete: {namespace: prod}
        - at: 5s
          kubectl: get pods -n prod
        - at: 5s
          kubectl: get pods --all-namespaces
        - at: 5s
          exec: {node: node-1, command: iptables-save}
      """;

  @TempDir Path dir;

  @Test
  void run_namespace_holdsItsPodsAndServices_kubectlFiltersByNamespace_deleteRemovesThem()
      throws IOException {
    String[] sections = ScenarioRunTest.runSections(dir, "ns.yaml", SCENARIO);

    assertThat(sections[1])
        .isEqualTo(
            "0.000000000s] $ kubectl apply -f -\nnamespace/prod created\npod/web created\n"
                + "service/front created\npod/client created\n");
    assertThat(sections[2])
        .isEqualTo("1.000000000s] $ kubectl apply -f -\nnamespace/prod unchanged\n");
    assertThat(sections[3])
        .isEqualTo(
            "2.000000000s] $ kubectl get pods -o wide\n"
                + "NAME     READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED"
                + " NODE   READINESS GATES\n"
                + "client   1/1     Running   0          2s    10.244.1.2   node-1   <none>    "
                + "       <none>\n");
    assertThat(sections[4])
        .isEqualTo(
            "2.000000000s] $ kubectl get pods -n prod\n"
                + "NAME   READY   STATUS    RESTARTS   AGE\n"
                + "web    1/1     Running   0          2s\n");
    assertThat(sections[5])
        .startsWith(
            "2.000000000s] $ kubectl get pods -A -o wide\n"
                + "NAMESPACE     NAME               READY   STATUS    RESTARTS   AGE   IP          "
                + "   NODE     NOMINATED NODE   READINESS GATES\n"
                + "default       client             1/1     Running   0          2s    10.244.1.2  "
                + "   node-1   <none>           <none>\n"
                + "kube-system   kube-proxy-2g9gv   1/1     Running   0          2s    192.168.1.12"
                + "   node-2   <none>           <none>\n"
                + "kube-system   kube-proxy-7nlls   1/1     Running   0          2s    192.168.1.11"
                + "   node-1   <none>           <none>\n"
                + "prod          web                1/1     Running   0          2s    10.244.2.2  "
                + "   node-2   <none>           <none>\n");
    assertThat(sections[6])
        .contains("Name:             web\nNamespace:        prod\nNode:             node-2/");
    assertThat(sections[7]).contains(" 80 port [tcp/http] succeeded!\n");
    assertThat(sections[8]).contains("expect reachable client -> prod/web ... OK\n");
    assertThat(sections[9]).contains("--comment \"prod/front cluster IP\"");
    assertThat(sections[10])
        .isEqualTo("4.000000000s] $ kubectl delete namespace prod\nnamespace \"prod\" deleted\n");
    assertThat(sections[11])
        .isEqualTo(
            "5.000000000s] $ kubectl get pods -n prod\nNo resources found in prod namespace.\n");
    assertThat(sections[12])
        .startsWith("5.000000000s] $ kubectl get pods --all-namespaces\nNAMESPACE     NAME ")
        .contains("default       client             1/1 ")
        .doesNotContain("web");
    assertThat(sections[13]).doesNotContain("prod/front");
  }

  @Test
  void validate_podInANamespaceDeletedBefore_isRefusedLikeTheApiServer() throws IOException {
    String text =
        SCENARIO
            + "  - at: 6s\n"
            + "    apply:\n"
            + "      - {apiVersion: v1, kind: Pod, metadata: {name: db, namespace: prod}}\n";
    Path file = Files.writeString(dir.resolve("ns.yaml"), text);

    assertThat(ScenarioRunTest.invalid(file))
        .isEqualTo(
            "podnet: "
                + file
                + ":46:69: steps[13].apply[0] (Pod db): namespaces \"prod\" not found (expected a"
                + " Namespace \"prod\" applied before it, or one of: default, kube-node-lease,"
                + " kube-public, kube-system)\n");
  }

  private static final String FLANNEL =
      """
      name: flannel-ns
      seed: 7
      cluster: {nodes: 1, cni: flannel-vxlan}
      steps:
        - at: 0s
          apply:
            - {apiVersion: v1, kind: Namespace, metadata: {name: kube-flannel}}
            - {apiVersion: v1, kind: Pod, metadata: {name: probe, namespace: kube-flannel}}
        - at: 1s
          kubectl: get pods -n kube-flannel -o wide
      """;

  @Test
  void run_flannelCluster_kubeFlannelExistsFromTheStartWithItsAgentsPod() throws IOException {
    String[] sections = ScenarioRunTest.runSections(dir, "flannel-ns.yaml", FLANNEL);

    assertThat(sections[1]).contains("namespace/kube-flannel unchanged\n");
    assertThat(sections[2])
        .matches(
            "(?s)1.000000000s\\] \\$ kubectl get pods -n kube-flannel -o wide\n"
                + "NAME +READY.*\n"
                + "kube-flannel-ds-[a-z0-9]{5} +1/1 +Running +0 +1s +192\\.168\\.1\\.11 +node-1 .*\n"
                + "probe +1/1 +Running +0 +1s +10\\.244\\.\\d+\\.\\d+ +node-1 .*");
  }

  @Test
  void validate_deletingTheNetworkAgentsNamespace_refusedInOneLine() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("del.yaml"),
            FLANNEL + "  - at: 2s\n    delete: {namespace: kube-flannel}\n");

    assertThat(ScenarioRunTest.invalid(file))
        .isEqualTo(
            "podnet: "
                + file
                + ":12:25: steps[2].delete.namespace: namespaces \"kube-flannel\" holds the network"
                + " agent's DaemonSet, whose deletion PodNet does not model (expected a namespace the"
                + " scenario applied)\n");
  }
}
