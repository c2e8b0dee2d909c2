using System.Runtime.CompilerServices;
using Pipeline.Client;

// RemoteException moved to Pipeline.Abstractions (namespace kept) so app code can catch its subtypes; assemblies
// compiled against an earlier Pipeline.Client still find it here.
[assembly: TypeForwardedTo(typeof(RemoteException))]
