using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Slots;

/// <summary>
/// <see cref="SlotInventory"/> lends CPU slots and GPUs to containers: never more than it has, never part of a
/// requirement, the preferred fallback option first, and each lease freed once.
/// </summary>
public sealed class SlotInventoryTests
{
    private const string H100 = "NVIDIA H100 80GB HBM3";
    private const string A100 = "NVIDIA A100-SXM4-80GB";

    [Fact]
    public void TryAcquire_TwoOneGpuRequirementsOnTwoH100s_BothGrantedOnDistinctGpus()
    {
        var inventory = Inventory(0, H100, H100);
        var requirement = Gpu("H100");

        var first = inventory.TryAcquire(requirement);
        var second = inventory.TryAcquire(requirement);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal([0], first.GpuIndices);
        Assert.Equal([1], second.GpuIndices);
        Assert.True(first.IsGpu);
        Assert.Equal(new GpuOption("H100", 1), first.Option);
        Assert.Empty(inventory.FreeGpuIndices);
    }

    [Fact]
    public void TryAcquire_ThirdOnTwoBusyH100s_Refused()
    {
        var inventory = Inventory(4, H100, H100);
        var requirement = Gpu("H100");
        inventory.TryAcquire(requirement);
        inventory.TryAcquire(requirement);

        Assert.Null(inventory.TryAcquire(requirement));
        Assert.Equal(4, inventory.FreeCpuSlots);
    }

    [Fact]
    public void TryAcquire_FourGpusOnTwoH100s_RefusedAndNeverSatisfiable()
    {
        var inventory = Inventory(4, H100, H100);
        var requirement = Gpu("H100:4");

        Assert.Null(inventory.TryAcquire(requirement));
        Assert.False(inventory.CouldEverSatisfy(requirement));
        Assert.Equal([0, 1], inventory.FreeGpuIndices);
    }

    [Fact]
    public void Release_GpuLease_GpuLentAgain()
    {
        var inventory = Inventory(0, H100, H100);
        var requirement = Gpu("H100");
        var first = inventory.TryAcquire(requirement)!;
        inventory.TryAcquire(requirement);

        Assert.True(inventory.Release(first));
        Assert.Equal([0], inventory.FreeGpuIndices);
        var again = inventory.TryAcquire(requirement);

        Assert.NotNull(again);
        Assert.Equal([0], again.GpuIndices);
        Assert.Null(inventory.TryAcquire(requirement));
    }

    [Fact]
    public void TryAcquire_SeveralGpus_LowestFreeIndicesTogether()
    {
        var inventory = Inventory(0, H100, H100, H100, H100);
        var one = inventory.TryAcquire(Gpu("H100"))!;

        var two = inventory.TryAcquire(Gpu("H100:2"));

        Assert.Equal([0], one.GpuIndices);
        Assert.NotNull(two);
        Assert.Equal([1, 2], two.GpuIndices);
        Assert.Equal([3], inventory.FreeGpuIndices);
    }

    [Fact]
    public void TryAcquire_NotEnoughFreeForTheCount_TakesNothing()
    {
        var inventory = Inventory(0, H100, H100);
        inventory.TryAcquire(Gpu("H100"));

        Assert.Null(inventory.TryAcquire(Gpu("H100:2")));
        Assert.Equal([1], inventory.FreeGpuIndices);
        Assert.True(inventory.CouldEverSatisfy(Gpu("H100:2")));
    }

    [Fact]
    public void TryAcquire_FirstOptionDoesNotFit_SecondOptionGranted()
    {
        var inventory = Inventory(0, H100, A100, A100);

        var lease = inventory.TryAcquire(Gpu("H100:2, A100-80GB:2"));

        Assert.NotNull(lease);
        Assert.Equal([1, 2], lease.GpuIndices);
        Assert.Equal(new GpuOption("A100-80GB", 2), lease.Option);
        Assert.Equal([0], inventory.FreeGpuIndices);
    }

    [Fact]
    public void TryAcquire_FirstOptionFits_PreferredOverLaterOnes()
    {
        var inventory = Inventory(0, A100, H100);

        var lease = inventory.TryAcquire(Gpu("H100, A100-80GB"));

        Assert.NotNull(lease);
        Assert.Equal([1], lease.GpuIndices);
        Assert.Equal(new GpuOption("H100", 1), lease.Option);
    }

    [Fact]
    public void TryAcquire_PreferredBusy_FallsBackUntilNothingFits()
    {
        var inventory = Inventory(0, H100, A100);
        var requirement = Gpu("H100, A100-80GB");

        var first = inventory.TryAcquire(requirement);
        var second = inventory.TryAcquire(requirement);

        Assert.Equal("H100", first?.Option?.Type);
        Assert.Equal("A100-80GB", second?.Option?.Type);
        Assert.Equal([1], second?.GpuIndices);
        Assert.Null(inventory.TryAcquire(requirement));
    }

    [Fact]
    public void TryAcquire_OtherModels_OnlyMatchingGpusLent()
    {
        var inventory = Inventory(0, "NVIDIA L40S", "NVIDIA L4");

        Assert.Equal([1], inventory.TryAcquire(Gpu("L4"))?.GpuIndices);
        Assert.Null(inventory.TryAcquire(Gpu("L4")));
        Assert.Equal([0], inventory.TryAcquire(Gpu("L40S"))?.GpuIndices);
    }

    [Fact]
    public void TryAcquire_Any_TakesWhateverIsFree()
    {
        var inventory = Inventory(0, "Tesla T4", H100);

        var lease = inventory.TryAcquire(Gpu("any:2"));

        Assert.NotNull(lease);
        Assert.Equal([0, 1], lease.GpuIndices);
    }

    [Theory]
    [InlineData("any")]
    [InlineData("T4")]
    [InlineData("H100, A100-80GB:2")]
    public void TryAcquire_CpuOnlyInventory_NeverGrantsGpusNorCouldEver(string spec)
    {
        var inventory = Inventory(8);
        var requirement = Gpu(spec);

        Assert.Null(inventory.TryAcquire(requirement));
        Assert.False(inventory.CouldEverSatisfy(requirement));
        Assert.Equal(8, inventory.FreeCpuSlots);
    }

    [Fact]
    public void TryAcquire_NoRequirement_CpuSlotsUntilExhaustedThenReleaseFreesOne()
    {
        var inventory = Inventory(2);

        var first = inventory.TryAcquire(null);
        var second = inventory.TryAcquire(null);
        var third = inventory.TryAcquire(null);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.False(first.IsGpu);
        Assert.Empty(first.GpuIndices);
        Assert.Null(first.Option);
        Assert.Equal(0, inventory.FreeCpuSlots);

        Assert.True(inventory.Release(first));

        Assert.Equal(1, inventory.FreeCpuSlots);
        Assert.NotNull(inventory.TryAcquire(null));
        Assert.Null(inventory.TryAcquire(null));
    }

    [Fact]
    public void TryAcquire_NoRequirementOnGpuHost_TakesCpuSlotNotGpu()
    {
        var inventory = Inventory(1, H100);

        var lease = inventory.TryAcquire(null);

        Assert.NotNull(lease);
        Assert.False(lease.IsGpu);
        Assert.Equal([0], inventory.FreeGpuIndices);
        Assert.Null(inventory.TryAcquire(null));
    }

    [Fact]
    public void Release_CpuLeaseTwice_FreesOnce()
    {
        var inventory = Inventory(1);
        var lease = inventory.TryAcquire(null)!;
        Assert.True(inventory.Release(lease));
        var next = inventory.TryAcquire(null);

        Assert.False(inventory.Release(lease));

        Assert.NotNull(next);
        Assert.Equal(0, inventory.FreeCpuSlots);
    }

    [Fact]
    public void Release_GpuLeaseTwice_DoesNotFreeTheGpuLentSince()
    {
        var inventory = Inventory(0, H100);
        var lease = inventory.TryAcquire(Gpu("H100"))!;
        inventory.Release(lease);
        var next = inventory.TryAcquire(Gpu("H100"));

        Assert.False(inventory.Release(lease));

        Assert.NotNull(next);
        Assert.Empty(inventory.FreeGpuIndices);
        Assert.Null(inventory.TryAcquire(Gpu("H100")));
    }

    [Fact]
    public void Release_CopyOrOtherInventorysLease_FreesNothing()
    {
        var inventory = Inventory(1, H100);
        var cpu = inventory.TryAcquire(null)!;
        var gpu = inventory.TryAcquire(Gpu("H100"))!;
        var foreign = Inventory(1, H100).TryAcquire(Gpu("H100"))!;

        Assert.False(inventory.Release(cpu with { }));
        Assert.False(inventory.Release(gpu with { }));
        Assert.False(inventory.Release(foreign));

        Assert.Equal(0, inventory.FreeCpuSlots);
        Assert.Empty(inventory.FreeGpuIndices);
    }

    [Fact]
    public void CouldEverSatisfy_AllGpusBusy_StillTrue()
    {
        var inventory = Inventory(0, H100, H100);
        inventory.TryAcquire(Gpu("H100:2"));

        Assert.True(inventory.CouldEverSatisfy(Gpu("H100:2")));
        Assert.Null(inventory.TryAcquire(Gpu("H100")));
    }

    [Theory]
    [InlineData("H200, H100:2", true)]
    [InlineData("H100:3, any:2", true)]
    [InlineData("H200, A100-80GB", false)]
    [InlineData("any:3", false)]
    public void CouldEverSatisfy_FallbackList_TrueWhenSomeOptionFits(string spec, bool expected)
    {
        Assert.Equal(expected, Inventory(0, H100, H100).CouldEverSatisfy(Gpu(spec)));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    public void CouldEverSatisfy_NoRequirement_TrueWhenThereAreCpuSlots(int cpuSlots, bool expected)
    {
        Assert.Equal(expected, Inventory(cpuSlots, H100).CouldEverSatisfy(null));
    }

    [Fact]
    public void Constructor_UnsortedGpus_KeptInIndexOrder()
    {
        var inventory = new SlotInventory(0, [new GpuDevice(3, A100, 0), new GpuDevice(1, H100, 0)]);

        Assert.Equal([1, 3], inventory.Gpus.Select(g => g.Index));
        Assert.Equal([1, 3], inventory.FreeGpuIndices);
        Assert.Equal([3], inventory.TryAcquire(Gpu("A100"))?.GpuIndices);
        Assert.Equal([1], inventory.FreeGpuIndices);
    }

    [Fact]
    public void Constructor_RepeatedGpuIndex_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SlotInventory(0, [new GpuDevice(0, H100, 0), new GpuDevice(0, A100, 0)]));
    }

    [Fact]
    public void Constructor_NegativeCpuSlots_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlotInventory(-1, []));
    }

    [Fact]
    public void TryAcquire_ManyThreadsWithoutRelease_GrantsExactlyWhatThereIs()
    {
        // Many short rounds, each started together by a barrier, give a missing lock many chances to show.
        const int Threads = 8;
        for (var round = 0; round < 200; round++)
        {
            var inventory = Inventory(Threads, H100, H100, H100, H100, H100, H100, H100, H100);
            var requirement = Gpu("H100");
            var leases = new List<SlotLease>[Threads];
            using var start = new Barrier(Threads);

            // Dedicated threads rather than Parallel.For: the barrier needs all of them running at once.
            var threads = Enumerable.Range(0, Threads).Select(thread => new Thread(() =>
            {
                leases[thread] = [];
                start.SignalAndWait();
                while (inventory.TryAcquire(thread % 2 == 0 ? requirement : null) is { } lease)
                {
                    leases[thread].Add(lease);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            var granted = leases.SelectMany(l => l).ToList();
            Assert.Equal(Enumerable.Range(0, 8), granted.SelectMany(l => l.GpuIndices).Order());
            Assert.Equal(Threads, granted.Count(l => !l.IsGpu));
            Assert.Empty(inventory.FreeGpuIndices);
            Assert.Equal(0, inventory.FreeCpuSlots);
        }
    }

    [Fact]
    public void TryAcquire_ManyThreadsAcquiringAndReleasing_NeverLendsAnythingTwice()
    {
        var inventory = Inventory(3, H100, H100, H100, H100);
        var holders = new int[4];
        var cpuHolders = 0;
        var overlaps = 0;
        var grants = 0;
        GpuRequirement?[] requirements = [null, Gpu("H100"), Gpu("H100:2"), Gpu("any:3, H100")];

        Parallel.For(0, 20_000, i =>
        {
            var lease = inventory.TryAcquire(requirements[i % requirements.Length]);
            if (lease is null)
            {
                return;
            }

            Interlocked.Increment(ref grants);
            if (!lease.IsGpu && Interlocked.Increment(ref cpuHolders) > 3)
            {
                Interlocked.Increment(ref overlaps);
            }

            foreach (var index in lease.GpuIndices)
            {
                if (Interlocked.Increment(ref holders[index]) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }
            }

            foreach (var index in lease.GpuIndices)
            {
                Interlocked.Decrement(ref holders[index]);
            }

            if (!lease.IsGpu)
            {
                Interlocked.Decrement(ref cpuHolders);
            }

            Assert.True(inventory.Release(lease));
        });

        Assert.Equal(0, overlaps);
        Assert.True(grants > 0);
        Assert.Equal(3, inventory.FreeCpuSlots);
        Assert.Equal([0, 1, 2, 3], inventory.FreeGpuIndices);
    }

    private static SlotInventory Inventory(int cpuSlots, params string[] gpuNames) =>
        new(cpuSlots, GpuDevice.FromNames(gpuNames));

    private static GpuRequirement Gpu(string spec) => GpuRequirement.Parse(spec)!;
}
